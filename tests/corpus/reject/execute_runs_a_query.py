# expect: E205 at 3:7 mentions 'runs a query'
x = t.execute()
