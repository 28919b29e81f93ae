"""`distributor run`: the whole stack on one machine, with an embedded Redis when none answers."""
