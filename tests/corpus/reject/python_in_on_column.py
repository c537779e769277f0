# expect: E212 at 3:14 mentions '.isin'
x = t.filter(_.a in [1, 2])
