f = t.mutate(scaled=lambda s: s.amount * 3)
