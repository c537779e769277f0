# expect: E101 at 3:1
try:
    x = 1
except Exception:
    pass
