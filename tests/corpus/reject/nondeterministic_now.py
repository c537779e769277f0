# expect: E205 at 3:21 mentions 'non-deterministic'
x = t.mutate(b=ibis.now())
