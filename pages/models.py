"""Wagtail pages: portal home, 系统公告, 帮助中心, 团务小常识 (content issue)."""
