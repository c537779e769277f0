# expect: E101 at 4:1
x = 1
del x
