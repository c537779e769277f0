# expect: E100 at 4:2
f = t
  x = 1
