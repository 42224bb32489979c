"""Small-cell suppression with complementary suppression.

Counts under the threshold are hidden. Then, for every additive group (a total and the parts it
is the sum of: a city total and its neighbourhoods, a category total and its outcomes), more
cells are hidden until no hidden cell can be worked out from the published ones: while the total
is published, at least two parts are hidden and the hidden parts add up to at least the
threshold (else the difference "total minus published parts" would be a small count); when
no part that could make up the difference is left, the total goes too. A hidden total always has
a hidden part (else it is the sum of its published parts). A group of one part (a
quarter's stock figure is its last month's) is published whole or not at all.
"""

from collections.abc import Hashable, Iterable

Key = Hashable


def suppressed_cells(
    counts: dict[Key, int], groups: Iterable[tuple[Key, list[Key]]], minimum: int, *, publish_zeros: bool = True
) -> set[Key]:
    """Return the keys of ``counts`` that must not be published.

    ``groups`` are (total, parts) with ``counts[total] == sum(counts[part] for part in parts)``.
    With ``publish_zeros``, a count of 0 is not hidden for being small (it says "no one", so it
    points at no one), though it may still be hidden to protect another cell.
    """
    groups = [(total, list(parts)) for total, parts in groups]
    lowest = 1 if publish_zeros else 0
    hidden = {key for key, value in counts.items() if lowest <= value < minimum}
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
            hidden_parts = [part for part in parts if part in hidden]
            if total in hidden:
                # A hidden total whose parts are all published is their sum: hide a part too (a total
                # hidden as a complement elsewhere, e.g. a quarter beside a small one in its year).
                if not hidden_parts:
                    published = [part for part in parts if counts[part] > 0] or parts
                    hidden.add(min(published, key=lambda part: (counts[part], str(part))))
                    changed = True
                continue
            if not hidden_parts:
                continue
            if len(hidden_parts) >= 2 and sum(counts[part] for part in hidden_parts) >= minimum:
                continue
            # Hide the smallest published part that adds to the hidden sum (the least is lost). A
            # zero adds nothing, and its own group would often show it is zero: hide the total instead.
            candidates = [part for part in parts if part not in hidden and counts[part] > 0]
            hidden.add(min(candidates, key=lambda part: (counts[part], str(part))) if candidates else total)
            changed = True
    return hidden
