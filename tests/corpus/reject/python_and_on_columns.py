# expect: E211 at 3:14 mentions 'use & and |'
x = t.filter((_.a > 1) and (_.a < 5))
