f = t.mutate(
    name2=_.name.fill_null("?"),
    first=ibis.coalesce(_.qty, _.id, 0),
    missing=_.amount.isnull() | _.name.notnull(),
)
