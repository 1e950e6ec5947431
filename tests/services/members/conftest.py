from ...factories import actor_of, make_id_number, make_member, member_data  # noqa: F401 - used by the tests

