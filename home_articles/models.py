"""首页文章 精华/本地, scoped by org permission (content issue)."""
