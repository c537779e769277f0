# expect: E102 at 3:13
f = lambda x=1: x
