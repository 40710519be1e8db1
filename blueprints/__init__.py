"""Block templates ("blueprints"): a site's named, versioned schemas that blocks can follow.

A template is a schema with a name, a slug, a description and a version. A block that follows one has no
schema of its own: its schema is the template's, at the version it follows. This app holds what a template
is (`models`), the rules of its own values (`rules`), reads (`selectors`) and the one write that reaches no
block (`services.template_create`). What following a template does to blocks (a template's schema change
carried into every follower, detaching, refusing a follower's own schema write) is the blocks layer's, in
`blocks.services.templates`, because every block write goes through its one write path. So this app sits
below `blocks` and knows nothing of it.
"""
