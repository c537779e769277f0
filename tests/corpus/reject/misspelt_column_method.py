# expect: E203 at 3:9 mentions "did you mean 'sum'?"
x = t.a.summ()
