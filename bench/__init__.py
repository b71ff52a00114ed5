"""The benchmark of the portal: data set, page table, load driver, report.

Nothing here is imported by the portal itself; `make bench` runs it.
"""
