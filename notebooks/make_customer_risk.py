"""Write customer_risk.ipynb from the cells below (fixed cell ids, so the file is reproducible)."""

from pathlib import Path

from nbwrite import write_example

cells = [
    ("markdown", """# Customer risk features with Python UDFs

Typed Python functions (`@ibis.udf.scalar.python`) used in exported cells: nb2jvm compiles each
to JVM bytecode (Scala, with Python's semantics) that ships in the artifact, and
`nb2jvm verify customer_risk.ipynb` checks them against this notebook's own results."""),
    ("code", "%load_ext transpiler"),
    ("code", """import ibis
from ibis import _

con = ibis.duckdb.connect()
transactions = con.read_parquet("data/transactions.parquet")
customers = con.read_parquet("data/customers.parquet")"""),
    ("markdown", "## Identity features: name and e-mail normalisation, a Luhn check"),
    ("code", """%%export
def first_token(text: str) -> str:
    parts = text.split()
    return parts[0] if parts else ""


@ibis.udf.scalar.python
def normalize_email(email: str) -> str:
    e = email.strip().casefold()
    if e.count("@") != 1:
        return ""
    user = e.split("@")[0]
    domain = e.split("@")[1]
    user = user.split("+")[0]
    if domain in ("gmail.com", "googlemail.com"):
        user = user.replace(".", "")
    return user + "@" + domain


@ibis.udf.scalar.python
def name_key(full_name: str) -> str:
    words = full_name.casefold().split()
    key = ""
    for w in words:
        letters = ""
        for ch in w:
            if ch.isalpha():
                letters += ch
        if letters:
            key = key + letters[0] if key else letters
    return key + ":" + first_token(full_name).upper()


@ibis.udf.scalar.python
def luhn_valid(card: str) -> bool:
    digits = card.replace(" ", "")
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    double = False
    for k in range(len(digits) - 1, -1, -1):
        d = int(digits[k])
        if double:
            d = d * 2
            if d > 9:
                d -= 9
        total += d
        double = not double
    return total % 10 == 0


identity = customers.select(
    "user_id",
    email=normalize_email(_.email),
    name=name_key(_.full_name),
    card_ok=luhn_valid(_.card_number),
)
identity.order_by("user_id").head(5)"""),
    ("markdown", "## A branchy risk bucket per transaction, aggregated per user"),
    ("code", """%%export
@ibis.udf.scalar.python
def risk_bucket(amount: float, online: bool, hour: int, category: str) -> str:
    score = amount / 100
    if online:
        score *= 1.5
    if hour < 6:
        score += 2
    if category in ("electronics", "travel"):
        score += 1
    if score >= 8:
        return "high"
    elif score >= 3:
        return "medium"
    return f"low-{round(score, 1):.1f}" if score > 1 else "low"


risk = (
    transactions
    .mutate(bucket=risk_bucket(_.amount, _.is_online, _.ts.hour(), _.merchant_category))
    .group_by(["user_id", "bucket"])
    .aggregate(n=_.count(), total=_.amount.sum())
)
risk.order_by(["user_id", "bucket"]).head(5)"""),
]

write_example(Path(__file__).with_name("customer_risk.ipynb"), "customer-risk", cells)
