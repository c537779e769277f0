# expect: E101 at 3:1
with open('x') as fh:
    pass
