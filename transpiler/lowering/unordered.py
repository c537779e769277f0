"""Unordered ``collect()``: arrays whose element order is arbitrary on both engines.

DuckDB's ``array_agg`` without ORDER BY (ibis's ``collect()`` without ``order_by``) gathers the
values in its scan order, and Spark's ``collect_list`` in its partitions' order: the same
elements, in an order neither engine defines.  Such an array is accepted when it reaches an
output column unchanged (a group-by metric or a window over it, then passed through
projections, filters, sorts and limits), so that the only thing a consumer can observe is the
multiset of its elements; ``verify`` then compares that column's arrays as multisets.  It may
also feed operations whose result no order changes (``ORDER_FREE``: length, contains, max, min,
sort).  An unordered array that feeds anything else (an index, a join of its strings, a
comparison, a float sum) is refused, since the result would depend on the order.
"""

from __future__ import annotations

import ibis.expr.operations as ops

# operations whose result is the same for any order of the array's elements (an ArraySum is
# not: a float sum rounds by order)
ORDER_FREE = (ops.ArrayLength, ops.ArrayContains, ops.ArrayMax, ops.ArrayMin, ops.ArraySort)

# relations that keep their parent's columns as they are (a predicate or a key that reads the
# array is a use of its order, found below as a non-pass-through user)
_PASSING = (ops.Filter, ops.Sort, ops.Limit)


def users_of(nodes: list) -> dict:
    """Each node of ``nodes`` to the nodes that take it as an argument."""
    users: dict = {}
    for node in nodes:
        for child in getattr(node, "__children__", ()):
            users.setdefault(child, []).append(node)
    return users


def unordered_collects(nodes: list) -> list[ops.ArrayCollect]:
    """The collect() nodes without an order_by among ``nodes``."""
    return [n for n in nodes if isinstance(n, ops.ArrayCollect) and not n.order_by]


def outputs(root: ops.Node, nodes: list) -> dict[ops.ArrayCollect, tuple[str, ...]]:
    """For each unordered collect() whose every use passes it unchanged to the output of
    ``root`` or into an order-free operation: the output columns it reaches (maybe none).  The
    others are left out (refused)."""
    users = users_of(nodes)
    found = {}
    for collect in unordered_collects(nodes):
        reached = _reach(collect, root, users)
        if reached is not None:
            found[collect] = reached
    return found


def _reach(collect, root, users) -> tuple[str, ...] | None:
    # the (relation, column) pairs holding the array, followed to the root
    frontier = []
    for user in users.get(collect, ()):
        if isinstance(user, ops.Aggregate):
            frontier += [(user, n) for n, m in user.metrics.items() if m == collect]
        elif isinstance(user, ops.WindowFunction) and user.func == collect:
            for project in users.get(user, ()):
                if not isinstance(project, ops.Project):
                    return None
                frontier += [(project, n) for n, v in project.values.items() if v == user]
            if not users.get(user):
                return None
        else:
            return None
    if not frontier:
        return None
    outputs, seen = set(), set()
    while frontier:
        rel, name = frontier.pop()
        if (rel, name) in seen:
            continue
        seen.add((rel, name))
        if rel == root:
            outputs.add(name)
        for user in users.get(rel, ()):
            if isinstance(user, ops.Field):
                if user.name != name:
                    continue
                for consumer in users.get(user, ()):
                    if isinstance(consumer, ORDER_FREE) and consumer.arg == user:
                        continue  # an ordinary value from here on
                    if not isinstance(consumer, ops.Project):
                        return None
                    frontier += [(consumer, n) for n, v in consumer.values.items() if v == user]
            elif isinstance(user, _PASSING) and user.parent == rel:
                frontier.append((user, name))
            elif isinstance(user, ops.Project) and user.parent == rel:
                continue  # its values are Fields of rel, followed above
            else:
                return None  # a join, a union, a distinct, an aggregate over the array's table
    return tuple(sorted(outputs))
