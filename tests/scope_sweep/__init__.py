"""The scope sweep (tests/test_scope_sweep.py): every URL × every actor kind of subtree 甲 × objects of 乙.

- ``urls.py``: walks the root resolver into every pattern, with its full route, name and parameters.
- ``world.py``: the fixture province (two sibling subtrees, objects of every workflow in 乙).
- ``registry.py``: per URL, how to fill its parameters, or why it is unscoped — the file to edit.
- ``engine.py``: plans the requests, sends them (each in a rolled-back savepoint), judges the answers;
  ``ChangeLog`` puts a trigger on every table to see any write.
"""
