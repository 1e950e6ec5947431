"""批量导入团干: all rows validated first, nothing imported unless every row is right."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal import spreadsheets, xlsx_bombs
from portal.models import AuditLog
from services.cadres import imports, services
from services.cadres.models import CadreImport, CadrePerson, CadrePost

from ...factories import actor_of, login, make_id_number
from .test_cadres import add_cadre


def row(n, **overrides):
    values = {"姓名": f"团干{'甲乙丙丁戊己庚辛壬癸'[n % 10]}", "证件类型": "普通居民身份证",
              "身份证号码": make_id_number("19900101", seq=n % 500, region=("440106", "440104")[n // 500]),
              "手机号码": f"138{n:08d}", "民族": "汉族", "民族名称": "", "政治面貌": "共青团员", "文化程度": "普通本科",
              "入团年月": "2008-05", "团内现任职务": "委员", "团干部性质": "兼职", "任现职年月": "2023-01",
              "是否同级党委（支部）成员": "否", "学习工作单位": "某单位", "电子邮箱": ""}
    values.update(overrides)
    return [values[h] for h in imports.HEADERS]


def xlsx(rows, headers=imports.HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for values in rows:
        ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("团干.xlsx", buffer.getvalue())


def run(org, upload):
    job = imports.import_create(actor=actor_of(org), upload=upload)
    imports.import_run(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_template_has_the_headers_and_dropdowns(client, tree):
    login(client, tree.district)
    response = client.get(reverse("cadres:import_template"))
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["团干信息"]
    assert [c.value for c in sheet[1]] == imports.HEADERS
    assert any("选项" in dv.formula1 for dv in sheet.data_validations.dataValidation)
    assert "填写说明" in wb.sheetnames


@pytest.mark.django_db
def test_three_bad_rows_out_of_500_import_nothing_and_are_listed_exactly(tree):
    rows = [row(n) for n in range(500)]
    rows[10] = row(10, 身份证号码="110105194912310021")  # bad checksum → sheet row 12
    rows[200] = row(200, 手机号码="2380013800")  # bad phone → row 202
    rows[499] = row(499, 身份证号码=rows[3][2])  # duplicate of row 5 in the file → row 501
    job = run(tree.district, xlsx(rows))
    assert job.status == CadreImport.Status.REJECTED and job.total == 500 and job.imported == 0
    assert [number for number, _ in job.errors] == [12, 202, 501]
    assert "身份证号码校验错误" in job.errors[0][1]
    assert "手机号码不正确" in job.errors[1][1]
    assert job.errors[2][1] == "身份证号码与第5行重复"
    assert CadrePerson.objects.count() == 0 and CadrePost.objects.count() == 0
    assert job.content is None  # the sheet with its ID numbers is not kept


@pytest.mark.django_db
def test_a_good_file_imports_every_row_and_keeps_other_orgs_base_information(tree):
    existing = add_cadre(tree.committee, name="王志强", phone="13800138001")
    rows = [row(n) for n in range(30)] + [row(30, 身份证号码=existing.person.id_number, 姓名="改名无效",
                                               手机号码="13800138001")]
    job = run(tree.district, xlsx(rows))
    assert (job.status, job.imported, job.errors) == (CadreImport.Status.DONE, 31, [])
    assert CadrePost.objects.filter(org=tree.district).count() == 31
    assert CadrePerson.objects.count() == 31 and CadrePerson.objects.get(pk=existing.person_id).name == "王志强"
    person = CadrePerson.objects.get(phone="13800000007")
    assert person.first_org == tree.district and person.birth_date.isoformat() == "1990-01-01"
    assert AuditLog.objects.get(action="cadre.import").after["导入数量"] == 31


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, reason", [
    ({"团干部性质": "常务"}, "团干部性质“常务”不在可选范围内"),
    ({"民族": "其他"}, "民族为“其他”时请填写民族名称"),
    ({"姓名": ""}, "姓名不能为空"),
    ({"任现职年月": "2099-01"}, "任现职年月不能大于当前时间"),
    ({"入团年月": "去年"}, "入团年月格式不正确（应为 2023-01）"),
    ({"姓名": "王2"}, services.ERR_NAME_DIGITS),
])
def test_row_reasons(tree, overrides, reason):
    job = run(tree.district, xlsx([row(1), row(2, **overrides)]))
    assert job.errors == [[3, reason]] and CadrePost.objects.count() == 0


@pytest.mark.django_db
def test_already_a_cadre_here_and_phone_of_another_person(tree):
    here = add_cadre(tree.district, phone="13800138001")
    add_cadre(tree.b_district, id_number="11010519491231002X", phone="13800138002")
    job = run(tree.district, xlsx([row(1, 身份证号码=here.person.id_number, 手机号码="13800138001"),
                                  row(2, 手机号码="13800138002")]))
    assert job.errors == [[2, services.ERR_ALREADY_HERE], [3, services.ERR_PHONE_TAKEN]]


@pytest.mark.django_db
@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("团干.xls", b"PK\x03\x04"), imports.ERR_FILE_TYPE),
    (SimpleUploadedFile("团干.xlsx", b"not a zip"), imports.ERR_FILE_TYPE),
])
def test_bad_files_are_refused_at_upload(tree, upload, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        imports.import_create(actor=actor_of(tree.district), upload=upload)
    assert CadreImport.objects.count() == 0


@pytest.mark.django_db
def test_wrong_headers_or_an_empty_sheet_are_reported(tree):
    assert run(tree.district, xlsx([row(1)], headers=["姓名", "手机"])).errors == [[0, imports.ERR_HEADERS]]
    assert run(tree.district, xlsx([])).errors == [[0, imports.ERR_EMPTY]]


@pytest.mark.django_db
def test_upload_page_small_inline_and_large_as_a_job(client, tree, django_capture_on_commit_callbacks):
    login(client, tree.district)
    response = client.post(reverse("cadres:import"), {"file": xlsx([row(1), row(2)])}, follow=True)
    assert "批量导入团干成功数量：2，失败数量：0" in response.content.decode()
    big = xlsx([row(n) for n in range(100, 700)])
    assert big.size > imports.INLINE_BYTES
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the job runs after commit
        response = client.post(reverse("cadres:import"), {"file": big})
    assert len(callbacks) == 1
    job = CadreImport.objects.latest("id")
    assert response["Location"] == reverse("cadres:import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "批量导入团干成功数量：600" in page
    login(client, tree.b_district)  # another org's import is 404
    assert client.get(reverse("cadres:import_detail", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_import_applies_the_cadre_age_rule(tree):
    from portal.people import ERR_CADRE_AGE

    from .test_cadres import born_years_ago

    rows = [row(n) for n in range(3)]
    rows[1] = row(1, 身份证号码=make_id_number(born_years_ago(3), seq=1))  # a 3-year-old → sheet row 3
    job = run(tree.district, xlsx(rows))
    assert job.status == CadreImport.Status.REJECTED and job.imported == 0
    assert job.errors == [[3, ERR_CADRE_AGE]]
    assert CadrePerson.objects.count() == 0


@pytest.mark.django_db
def test_the_ten_million_shared_strings_bomb_is_refused_in_seconds_and_nothing_is_stored(client, tree):
    """A ~250 KB .xlsx with 10,000,000 shared strings once cost 126 s of CPU and 946 MB."""
    import time

    content = xlsx_bombs.shared_strings_bomb(10_000_000)
    started = time.perf_counter()
    with pytest.raises(Exception) as info:
        imports.import_create(actor=actor_of(tree.district), upload=SimpleUploadedFile("团干.xlsx", content))
    assert time.perf_counter() - started < 3
    assert info.value.messages == [spreadsheets.ERR_UNZIPPED.format(mb=imports.LIMITS.max_unzipped // spreadsheets.MB)]
    assert CadreImport.objects.count() == 0
    login(client, tree.district)  # the page shows the Chinese reason
    started = time.perf_counter()
    response = client.post(reverse("cadres:import"), {"file": SimpleUploadedFile("团干.xlsx", content)})
    assert time.perf_counter() - started < 3
    assert response.status_code == 200 and "文件解压后内容过大" in response.content.decode()
    assert CadreImport.objects.count() == 0 and CadrePerson.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("build, message", [
    (lambda: xlsx_bombs.sheet_bomb(rows=1, last_row=1_048_576), imports.ERR_TOO_MANY),
    (lambda: xlsx_bombs.shared_strings_bomb(imports.LIMITS.max_shared_strings + 1, distinct=True),
     "表格中的文字单元格过多（超过310015个），请检查文件内容或分批导入"),
])
def test_other_bombs_are_refused_at_upload(tree, build, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        imports.import_create(actor=actor_of(tree.district), upload=SimpleUploadedFile("团干.xlsx", build()))
    assert info.value.messages == [message]
    assert CadreImport.objects.count() == 0


@pytest.mark.django_db
def test_a_bomb_already_queued_is_rejected_by_the_job_without_parsing_it(tree):
    job = CadreImport.objects.create(org=tree.district, user=None, filename="团干.xlsx",
                                     content=xlsx_bombs.sheet_bomb(rows=1, dimension="A1:O1048576"))
    imports.import_run(job.pk)
    job.refresh_from_db()
    assert job.status == CadreImport.Status.REJECTED and job.errors == [[0, imports.ERR_TOO_MANY]]
    assert job.content is None and CadrePerson.objects.count() == 0
