"""The editor UI's pieces behind `editor.admin.BlockAdmin`: who may see and do what (`access`), list filters
(`filters`), the forms (`forms`), the generated data form with one widget per field type (`widgets`) and the
schema builder (`schema_form`). Every write goes through `blocks.services`, exactly as the API's do.
"""
