"""Sites, who may work on them (memberships and roles) and the API tokens that act for them."""
