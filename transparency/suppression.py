"""Small-cell suppression with complementary suppression.

Counts under the threshold are hidden. Then, for every additive group (a total and the parts it
is the sum of: a city total and its neighbourhoods, a category total and its outcomes), more
cells are hidden until no hidden cell can be worked out from the published ones: while the total
is published, at least two parts are hidden and the hidden parts add up to at least the
threshold (else the difference "total minus published parts" would be a small count); when
every part is hidden but the total is published, the total goes too. A group of one part (a
quarter's stock figure is its last month's) is published whole or not at all.
"""

from collections.abc import Hashable, Iterable

Key = Hashable


def suppressed_cells(counts: dict[Key, int], groups: Iterable[tuple[Key, list[Key]]], minimum: int) -> set[Key]:
    """Return the keys of ``counts`` that must not be published.

    ``groups`` are (total, parts) with ``counts[total] == sum(counts[part] for part in parts)``.
    """
    groups = [(total, list(parts)) for total, parts in groups]
    hidden = {key for key, value in counts.items() if value < minimum}
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            if len(parts) == 1:
                # total == part: the same figure twice, published both times or neither.
                if (total in hidden) != (parts[0] in hidden):
                    hidden.update((total, parts[0]))
                    changed = True
                continue
            if total in hidden:
                continue
            hidden_parts = [part for part in parts if part in hidden]
            if not hidden_parts:
                continue
            if len(hidden_parts) >= 2 and sum(counts[part] for part in hidden_parts) >= minimum:
                continue
            visible = [part for part in parts if part not in hidden]
            # Hide the smallest published part (the least information lost); with none left, the total.
            hidden.add(min(visible, key=lambda part: (counts[part], str(part))) if visible else total)
            changed = True
    return hidden
