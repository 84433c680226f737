"""When to poll, walk or revisit what: the policy (pure) and, in follow mode, the component that drives it.

Its state lives in the store (``newscrawl.store.schedule``), so a run resumes where the last one stopped.
"""
