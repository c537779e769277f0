f = t.group_by("name").aggregate(
    n=_.count(),
    total=_.amount.sum(),
    mean=_.amount.mean(),
    lo=_.qty.min(),
    hi=_.qty.max(),
    ids=_.id.nunique(),
)
