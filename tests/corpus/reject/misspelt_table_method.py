# expect: E203 at 3:7 mentions "did you mean 'filter'?"
x = t.fitler(_.a > 1)
