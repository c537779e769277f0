# expect: E101 at 3:1
t.x = 1
