# expect: E101 at 3:1
x += 1
