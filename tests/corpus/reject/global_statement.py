# expect: E101 at 3:1
global x
