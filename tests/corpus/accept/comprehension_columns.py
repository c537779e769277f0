# several features from one comprehension, named with f-strings
numeric = ["amount", "qty"]
f = t.mutate([(t[c] * k).name(f"{c}_x{k}") for c in numeric for k in (2, 10)])
