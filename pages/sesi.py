"""Sesi pelatihan (HR): create and run training sessions, import rosters, follow completion, export."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.roster import parse_roster, preview_table, summary_message
from netral.store.accounts import Role, list_staff
from netral.store.reports import completion_report
from netral.store.roster_import import RosterImportError, apply_roster
from netral.store.siasn import DEFAULT_COURSE_TYPE, siasn_count, siasn_rows, siasn_warnings, siasn_xlsx
from netral.store.trainings import TrainingError, create_training, list_trainings, set_training_status, update_training
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.downloads import download_table
from ui.tables import show_paged_table, show_table

ensure_entrypoint()
lang = language()
user = require_page(PageId.SESSIONS, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.sessions"))

quiz_names = {quiz.id: quiz.title.get(lang) for quiz in sorted(content.quizzes.values(), key=lambda q: q.id)}
trainers = {u.id: u.name for u in list_staff(store) if u.role is Role.TRAINER}


def day_start(day) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def day_end(day) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


with st.expander(t(lang, "sessions.create"), icon=":material/add:", expanded=not list_trainings(store, user)):
    with st.form("create_session"):
        name = st.text_input(t(lang, "sessions.name"), max_chars=200)
        quizzes = st.multiselect(t(lang, "sessions.quizzes"), list(quiz_names), format_func=quiz_names.__getitem__,
                                 select_all=False, placeholder=t(lang, "common.choose"))
        opens, closes = st.columns(2)
        opens_on = opens.date_input(t(lang, "sessions.opens"), value=datetime.now(UTC).date(), format="DD/MM/YYYY")
        closes_on = closes.date_input(t(lang, "sessions.closes"), value=datetime.now(UTC).date() + timedelta(days=14),
                                      format="DD/MM/YYYY")
        mark, attempts, hours = st.columns(3)
        pass_mark = mark.number_input(t(lang, "sessions.pass_mark"), min_value=0, max_value=100, value=0,
                                      help=t(lang, "sessions.pass_mark_help"))
        attempts_allowed = attempts.number_input(t(lang, "sessions.attempts"), min_value=0, max_value=20, value=0,
                                                 help=t(lang, "sessions.attempts_help"))
        jp_hours = hours.number_input(t(lang, "sessions.jp"), min_value=0, max_value=200, value=0,
                                      help=t(lang, "sessions.jp_help"))
        organiser = st.text_input(t(lang, "sessions.organiser"), max_chars=200)
        description = st.text_area(t(lang, "sessions.description"), max_chars=500)
        assigned = st.multiselect(t(lang, "sessions.trainers"), list(trainers), format_func=trainers.__getitem__,
                                  select_all=False, placeholder=t(lang, "common.choose"))
        created = st.form_submit_button(t(lang, "sessions.create_submit"), type="primary")
    if created:
        try:
            training = create_training(
                store, content, user, name=name, quiz_ids=quizzes, opens_at=day_start(opens_on),
                closes_at=day_end(closes_on), pass_mark=pass_mark / 100 if pass_mark else None,
                attempts_allowed=attempts_allowed or None, jp_hours=jp_hours or None, organiser=organiser,
                description=description, trainer_ids=tuple(assigned))
        except TrainingError as refusal:
            st.error(t(lang, "training." + refusal.code, **refusal.values))
        else:
            st.success(t(lang, "sessions.created", name=training.name, code=training.join_code))

trainings = list_trainings(store, user, include_archived=st.toggle(t(lang, "sessions.show_archived")))
if not trainings:
    st.info(t(lang, "sessions.none"))
    st.stop()
by_id = {training.id: training for training in trainings}
chosen = st.selectbox(t(lang, "sessions.pick"), list(by_id), key="session_pick",
                      format_func=lambda i: f"{by_id[i].name} · {t(lang, 'sessions.status.' + by_id[i].status)}")
training = by_id[chosen]

st.subheader(training.name)
st.markdown(t(lang, "sessions.summary", code=training.join_code,
              opens=training.opens_at.strftime("%d-%m-%Y"), closes=training.closes_at.strftime("%d-%m-%Y"),
              quizzes=", ".join(quiz_names.get(q, q) for q in training.quiz_ids)))
status_actions = {"open": ("closed", "archived"), "closed": ("open", "archived"), "archived": ("open",)}
columns = st.columns(len(status_actions[training.status]) + 1)
for column, target in zip(columns, status_actions[training.status], strict=False):
    if column.button(t(lang, "sessions.set_status." + target), key=f"status_{target}"):
        set_training_status(store, user, training.id, target)
        st.rerun()
with st.expander(t(lang, "sessions.edit"), icon=":material/edit:"):
    with st.form("edit_session"):
        new_name = st.text_input(t(lang, "sessions.name"), value=training.name, max_chars=200)
        new_closes = st.date_input(t(lang, "sessions.closes"), value=training.closes_at.date(), format="DD/MM/YYYY")
        if st.form_submit_button(t(lang, "sessions.save")):
            try:
                update_training(store, content, user, training.id, name=new_name, closes_at=day_end(new_closes))
            except TrainingError as refusal:
                st.error(t(lang, "training." + refusal.code, **refusal.values))
            else:
                st.rerun()

st.subheader(t(lang, "sessions.roster"))
st.caption(t(lang, "sessions.roster_help"))
upload = st.file_uploader(t(lang, "sessions.roster_file"), type=["csv", "xlsx", "xls", "txt"], key=f"roster_{training.id}")
if upload is not None:
    preview = parse_roster(upload.getvalue(), upload.name, datetime.now(UTC).date())
    (st.success if not preview.has_problems else st.warning)(summary_message(preview, lang))
    headers, cells = preview_table(preview, lang)
    st.dataframe([dict(zip(headers, row, strict=False)) for row in cells], hide_index=True)
    if st.button(t(lang, "sessions.import"), type="primary", disabled=preview.has_problems, key="import_roster"):
        try:
            outcome = apply_roster(store, user, training.id, preview)
        except RosterImportError as refusal:
            st.error(t(lang, refusal.key, **refusal.values))
        except TrainingError as refusal:
            st.error(t(lang, "training." + refusal.code, **refusal.values))
        else:
            st.success(t(lang, "roster_import.done", created=outcome.created, updated=outcome.updated,
                         enrolled=outcome.enrolled, unchanged=outcome.unchanged))

st.subheader(t(lang, "sessions.report"))
report = completion_report(store, user, training.id)
totals = report.totals
a, b, c, d = st.columns(4)
a.metric(t(lang, "report.col.enrolled"), totals.enrolled)
b.metric(t(lang, "report.col.started_count"), totals.started)
c.metric(t(lang, "report.col.finished_count"), totals.finished)
d.metric(t(lang, "report.col.passed_count"), totals.passed)
unit_rows = report.to_rows("units")
show_table(unit_rows, lang)
overdue = [p for p in report.people if p.overdue]
if overdue:
    st.warning(t(lang, "sessions.overdue", count=len(overdue)))
    show_paged_table([{"report.col.name": p.name, "report.col.nip": p.nip or "", "report.col.unit": p.unit}
                      for p in overdue], lang, key=f"overdue_page_{training.id}")
people_rows = report.to_rows("people")
with st.expander(t(lang, "sessions.people", count=len(people_rows))):
    show_paged_table(people_rows, lang, key=f"people_page_{training.id}")
download_table(f"laporan-penyelesaian-{training.id}", t(lang, "sessions.report"), people_rows, lang, "report_people")
download_table(f"laporan-unit-{training.id}", t(lang, "report.col.unit"), unit_rows, lang, "report_units")

st.subheader(t(lang, "siasn.title"))
st.caption(t(lang, "siasn.intro"))
siasn = siasn_count(store, user, training.id)  # one query; the rows are built only for the download
for key, values in siasn_warnings(training, siasn):
    st.warning(t(lang, key, **values))
if not siasn.trainees:
    st.info(t(lang, "siasn.none"))
else:
    st.caption(t(lang, "siasn.count", count=siasn.trainees))
    course_type = st.text_input(t(lang, "siasn.course_type"), value=DEFAULT_COURSE_TYPE, max_chars=100,
                                key=f"siasn_type_{training.id}")
    field_names = st.checkbox(t(lang, "siasn.field_names"), key=f"siasn_fields_{training.id}")
    # A callable: the file (and any certificate it still needs) is made only when the button is pressed.
    st.download_button(
        t(lang, "siasn.download"),
        lambda: siasn_xlsx(siasn_rows(store, content, user, training.id, course_type=course_type), lang,
                           field_names=field_names),
        file_name=f"riwayat-kursus-siasn-{training.id}.xlsx", key=f"siasn_{training.id}",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        on_click="ignore")
