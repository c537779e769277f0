# expect: E101 at 3:1
for i in range(3):
    pass
