# expect: E212 at 3:14 mentions '.between'
x = t.filter(1 < _.a < 5)
