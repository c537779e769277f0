f = t.order_by([_.amount.desc(), "id"]).limit(5)
