%%export summary
# only `summary` is a feature set; `step` is an intermediate that is inlined
step = t.mutate(total=_.amount * _.qty)
summary = step.group_by("name").aggregate(revenue=_.total.sum())
