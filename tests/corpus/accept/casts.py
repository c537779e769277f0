f = t.mutate(q=_.qty.cast("float64"), label=_.id.cast("string"), flag=(_.qty > 1).cast("int32"))
