"""Regenerate customers.parquet for customer_risk.ipynb (deterministic: fixed seed).

Names and e-mails are messy on purpose: unicode names (ß, İ, combining accents), stray
whitespace (NBSP, ideographic space), +tags and dots in e-mail users, and card numbers where
about half pass the Luhn check.
"""

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

rng = random.Random(11)
FIRST = ["José", "  anna", "ÆGIR", "Straße", "İlker", "zoë", "Renée\u00a0", "Ōsaka", "mIkE", "Zoe\u0301"]
LAST = ["Müller", "o'brien", "ΣΩΚΡΑΤΗΣ", "van der Berg", "ŁUKASZ", "Nguyễn", "smith\u3000", "D'Souza"]
DOMAINS = ["Example.com", "mail.DE", "gmail.com ", "Post.example.org"]


def luhn_digit(digits: str) -> str:
    total = 0
    for k, d in enumerate(reversed(digits)):
        n = int(d)
        if k % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


rows = []
for user_id in range(1, 13):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    user = (first.strip().lower().replace(" ", "") + rng.choice([".", "", "_"])
            + last.strip().split()[0].lower() + rng.choice(["", "+promo", "+2024"]))
    base = "".join(str(rng.randint(0, 9)) for _ in range(15))
    card = base + (luhn_digit(base) if rng.random() < 0.5 else str(rng.randint(0, 9)))
    rows.append({"user_id": user_id, "full_name": f"{first} {last}",
                 "email": rng.choice(["", " "]) + user + "@" + rng.choice(DOMAINS),
                 "card_number": rng.choice([card, " ".join(card[i:i + 4] for i in range(0, 16, 4))])})
rows.append({"user_id": 13, "full_name": None, "email": None, "card_number": None})
schema = pa.schema([("user_id", pa.int64()), ("full_name", pa.string()), ("email", pa.string()),
                    ("card_number", pa.string())])
pq.write_table(pa.Table.from_pylist(rows, schema=schema),
               Path(__file__).with_name("customers.parquet"))
