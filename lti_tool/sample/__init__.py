"""The fictional sample cohorts behind walk-throughs, the demo and the benchmarks.

`cohort` plans a cohort from a seed (pure, no database); `writing` composes its reflections;
`store` keeps a plan as a program's read-only sample course, tied to no registration.
"""
