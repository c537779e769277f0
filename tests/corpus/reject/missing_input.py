# expect: IN001 at 3:5 mentions 'users'
f = users.select('id')
