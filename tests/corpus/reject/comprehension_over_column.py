# expect: E221 at 3:17 mentions 't.columns'
x = [c for c in t.a]
