# expect: E100 at 3:13
f = t.filter(_.a >
