f = t.mutate(
    big=ibis.ifelse(_.amount > 100, 1, 0),
    size=ibis.cases((_.amount > 100, "large"), (_.amount > 10, "medium"), else_="small"),
)
