f = t.mutate(y=_.ts.year(), m=_.ts.month(), d=_.ts.day(), h=_.ts.hour(), mi=_.ts.minute())
