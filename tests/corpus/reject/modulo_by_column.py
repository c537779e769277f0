# expect: L100 at 3:24 mentions 'zero divisor'
remainder = t.mutate(r=_.qty % _.id)
