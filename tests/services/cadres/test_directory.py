"""通讯录: two-character words of names, posts and org names (书记, 天河, 团委), not only name
prefixes; and browsing the directory by the org tree."""

import pytest
from django.urls import reverse

from orgtree.rules import OrgType
from orgtree.services import org_update
from services.cadres import imports, services
from services.cadres.models import OrgGram, PostGram
from services.cadres.selectors import directory_search

from ...factories import actor_of, make_child, make_id_number
from .cadre_end import cadre_login
from .test_cadres import add_cadre

pytestmark = pytest.mark.django_db


def found(q):
    return sorted(row["name"] for row in directory_search(q))


@pytest.fixture
def people(tree):
    company = make_child(tree.b_district, OrgType.COMMITTEE, "科技公司", short_name="科技公司团委")
    add_cadre(tree.district, name="王志强", phone="13800138001", title="书记")
    add_cadre(company, id_number="11010519491231002X", name="李娜", phone="13800138002", title="组织委员")
    add_cadre(tree.branch, id_number=make_id_number("20000101"), name="张三", phone="13800138003", title="宣传委员")
    off = add_cadre(tree.district, id_number=make_id_number("20080101"), name="王停用", phone="13800138004",
                    title="书记")
    services.cadre_set_enabled(actor=actor_of(tree.district), post=off, enabled=False)
    return company


def test_two_character_words_find_posts_org_names_and_names(tree, people):
    assert found("书记") == ["王志强"]  # a post (the disabled one left out)
    assert found("宣传") == ["张三"] and found("组织") == ["李娜"]  # part of 宣传委员 / 组织委员
    assert found("委员") == ["张三", "李娜", "王志强"]  # 组织委员, 宣传委员, and 天河区委员会
    assert found("天河") == ["王志强"]  # a word of the org's name
    assert found("团委") == ["李娜"]  # of the short name 科技公司团委
    assert found("研发") == ["张三"]  # 研发一部
    assert found("李娜") == ["李娜"] and found("王志") == ["王志强"]  # names still
    assert found("王") == ["王志强"]  # one character: a name prefix
    assert found("天河区") == ["王志强"]  # three or more: the search text
    assert found("北京") == []


def test_the_words_follow_renames_edits_imports_and_deletions(tree, people):
    org_update(actor=actor_of(tree.city_a), org=tree.district,
               data={"full_name": "共青团广州市海珠区委员会", "short_name": "海珠区"})
    assert found("天河") == [] and found("海珠") == ["王志强"]
    post = directory_search("王志")[0]
    from services.cadres.models import CadrePost

    post = CadrePost.objects.get(pk=post["id"])
    services.cadre_update(actor=actor_of(tree.district), post=post, data={"name": "王建国", "title": "副书记"})
    assert found("建国") == ["王建国"] and found("王志") == [] and found("副书") == ["王建国"]
    services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=False)
    assert found("建国") == [] and found("天河") == [] and found("海珠") == []  # disabled: out of the directory
    services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=True)
    assert found("建国") == ["王建国"] and found("海珠") == ["王建国"]
    services.cadre_delete(actor=actor_of(tree.district), post=post)
    assert found("建国") == [] and not PostGram.objects.filter(post_id=post.pk).exists()


def test_imported_cadres_are_found_by_their_words(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook
    import io

    wb = Workbook()
    ws = wb.active
    ws.append(imports.HEADERS)
    ws.append(["赵敏", "普通居民身份证", make_id_number("19900101"), "13700000001", "汉族", "", "共青团员", "普通本科",
               "2010-05", "文体委员", "兼职", "2023-01", "否", "某单位", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    job = imports.import_create(actor=actor_of(tree.general),
                                upload=SimpleUploadedFile("cadres.xlsx", buffer.getvalue()))
    imports.import_run(job.pk)
    job.refresh_from_db()
    assert job.imported == 1, job.errors
    assert found("文体") == ["赵敏"] and found("研发") == ["赵敏"]  # 研发中心
    assert OrgGram.objects.filter(org=tree.general, gram="研发").exists()


def test_the_directory_search_page_finds_a_two_character_word(client, tree, people):
    cadre_login(client, tree.general, id_number=make_id_number("19950101"), name="钱七", phone="13800138009")
    html = client.get(reverse("cadres:m_directory"), {"q": "团委"}).content.decode()
    assert "李娜" in html and 'href="tel:13800138002"' in html and "王志强" not in html


def test_the_directory_browses_the_org_tree(client, tree, people):
    cadre_login(client, tree.general, id_number=make_id_number("19950101"), name="钱七", phone="13800138009")
    top = client.get(reverse("cadres:m_directory_org")).content.decode()
    assert tree.province.full_name in top
    assert f'href="{reverse("cadres:m_directory_org", args=[tree.city_a.pk])}"' in top
    district = client.get(reverse("cadres:m_directory_org", args=[tree.district.pk])).content.decode()
    assert "王志强" in district and 'href="tel:13800138001"' in district and "王停用" not in district
    assert f'href="{reverse("cadres:m_directory_org", args=[tree.committee.pk])}"' in district  # children
    assert f'href="{reverse("cadres:m_directory_org", args=[tree.city_a.pk])}"' in district  # the trail
    # the directory is the province's: another city's orgs open too
    other = client.get(reverse("cadres:m_directory_org", args=[people.pk])).content.decode()
    assert "李娜" in other
    assert client.get(reverse("cadres:m_directory_org", args=[999999])).status_code == 404
    assert f'href="{reverse("cadres:m_directory_org")}"' in client.get(reverse("cadres:m_directory")).content.decode()


def test_the_directory_tree_is_for_cadres_only(client, tree):
    from ...factories import login

    login(client, tree.committee)
    assert client.get(reverse("cadres:m_directory_org")).status_code == 403


@pytest.mark.django_db
def test_org_words_are_indexed_a_chunk_at_a_time_each_org_once(tree, monkeypatch):
    """index_orgs_missing walks the orgs in chunks (a province's orgs as model instances took 900 MB):
    every org is indexed, an org already indexed keeps its words, and none is indexed twice."""
    from services.cadres import directory

    monkeypatch.setattr(directory, "ORG_CHUNK", 2)
    orgs = [tree.city_a, tree.district, tree.committee, tree.general, tree.branch]
    OrgGram.objects.all().delete()
    directory.index_org(tree.district)
    before = set(OrgGram.objects.filter(org=tree.district).values_list("gram", flat=True))
    directory.index_orgs_missing({o.pk for o in orgs})
    for org in orgs:
        words = list(OrgGram.objects.filter(org=org).values_list("gram", flat=True))
        assert sorted(words) == sorted(set(directory.bigrams(org.full_name, org.short_name))), org.full_name
    assert set(OrgGram.objects.filter(org=tree.district).values_list("gram", flat=True)) == before


def test_the_planner_samples_search_text_finely_on_postgresql(people):
    """cadres.0010: a rare name must reach the trigram index, not a scan of every post (DESIGN §7).
    PostgreSQL keeps a 1,000-entry sample of search_text; SQLite has no such setting and searches alike."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'cadres_cadrepost'::regclass "
                           "AND attname = 'search_text'")
            assert cursor.fetchone()[0] == 1000
    assert found("科技公司") == ["李娜"]
