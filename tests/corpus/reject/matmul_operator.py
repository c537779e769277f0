# expect: E101 at 3:5
f = t @ t
