# expect: L100 at 3:1 mentions 'zero divisor'
remainder = t.mutate(r=_.qty % _.id)
