# expect: E101 at 3:6
f = [*t]
