"""`idc validate` end to end: examples pass, bad input is located precisely."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from reconciler.desired.settings import find_repo
from tests.conftest import ROOT, IdcRunner
from tests.desired.repo import make_repo

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/idc.yaml"))


def problems(result_stderr: str) -> list[str]:
    """The `file:line:col: message` lines of an error report (one problem is
    printed as `error: ...`, several under an `error: N problems` header)."""
    lines = result_stderr.splitlines()
    if len(lines) == 1 and lines[0].startswith("error: "):
        return [lines[0].removeprefix("error: ")]
    return [line for line in lines if not line.startswith("error: ")]


def fails_with(idc: IdcRunner, repo: Path, *expected: str) -> None:
    result = idc("--repo", str(repo), "validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert problems(result.stderr) == list(expected)


def test_there_are_three_examples() -> None:
    assert [p.name for p in EXAMPLES] == ["basic", "multi-account", "scim"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates(idc: IdcRunner, example: Path) -> None:
    result = idc("--repo", str(example), "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("valid: ")
    assert result.stderr == ""


def test_summary_counts_each_kind_and_files(idc: IdcRunner) -> None:
    result = idc("--repo", str(ROOT / "examples" / "multi-account"), "validate")
    assert result.stdout == (
        "valid: 8 users, 6 groups, 11 memberships, 5 permission sets, "
        "10 assignment rules in 4 files\n"
    )


def test_json_format_reports_counts(idc: IdcRunner) -> None:
    result = idc("--repo", str(ROOT / "examples" / "scim"), "validate", "--format", "json")
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["counts"]["permission_sets"] == 5
    assert report["counts"]["users"] == 0


def test_json_format_lists_located_diagnostics(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups:\n  - nam: X\n"})
    result = idc("--repo", str(tmp_path), "validate", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert {(d["path"], d["line"], d["column"]) for d in report["diagnostics"]} == {
        ("desired/a.yaml", 2, 5)
    }


def test_malformed_yaml(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "users:\n  - user_name: [a\n"})
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    (line,) = problems(result.stderr)
    assert line.startswith("desired/a.yaml:3:1: ")
    assert "Traceback" not in result.output


def test_a_tab_and_a_second_document_are_explained(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/tab.yaml": "groups:\n  - name: X\n\tdescription: tabbed\n",
            "desired/two.yaml": "groups: []\n---\nusers: []\n",
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/tab.yaml:3:1: tab character: YAML indents and separates with spaces only; "
        "replace the tab with spaces",
        "desired/two.yaml:2:1: a second YAML document ('---') in one file; idc reads one "
        "document per file, put this one in a file of its own",
    )


def test_wrong_types_say_expected_and_got(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            users:
              - user_name: alice@example.com
                title: 42
                birthdate: 1985-04-12
            permission_sets:
              - name: ReadOnly
                tags: {pci: true}
            """
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:3:5: users[0].title: expected a string, got an integer (42); "
        'quote it: "42"',
        "desired/a.yaml:4:5: users[0].birthdate: expected a string, got a date (1985-04-12); "
        'quote it: "1985-04-12"',
        "desired/a.yaml:7:12: permission_sets[0].tags.pci: expected a string, got a boolean "
        '(true); quote it: "true"',
    )


def test_quoting_is_only_suggested_where_a_string_is_accepted(
    idc: IdcRunner, tmp_path: Path
) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups: 5\nusers:\n  - user_name: a\n    emails: 7\n"})
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:1:1: groups: expected a list, got an integer (5)",
        "desired/a.yaml:4:5: users[0].emails: expected a list, got an integer (7)",
    )


def test_unquoted_account_id_in_a_list(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            assignments:
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: [prod-web, 444444444445]
            """
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:4:26: assignments[0].accounts[1]: expected a string, got an integer "
        '(444444444445); quote it: "444444444445"',
    )


def test_quoting_hints_repeat_the_text_as_written(idc: IdcRunner, tmp_path: Path) -> None:
    """YAML reads 012345678901 as the integer 12345678901: the hint must keep
    the zero, and 0o17 or True are quoted as typed, not as YAML read them."""
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            assignments:
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: 012345678901
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: [012345678901, 0o17]  # ids
            groups:
              - name: Platform
                description: True
            """
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:4:5: assignments[0].accounts: expected a string or a list, got an "
        'integer (12345678901); quote it: "012345678901"',
        "desired/a.yaml:7:16: assignments[1].accounts[0]: expected a string, got an integer "
        '(12345678901); quote it: "012345678901"',
        "desired/a.yaml:7:30: assignments[1].accounts[1]: expected a string, got an integer "
        '(15); quote it: "0o17"',
        "desired/a.yaml:10:5: groups[0].description: expected a string, got a boolean (true); "
        'quote it: "True"',
    )


def test_no_message_names_an_internal_type(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            groups:
              - name: A
                description: !custom x
              - name: B
                description: !!binary aGVsbG8=
            """
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:3:5: groups[0].description: expected a string, got a value tagged "
        "!custom; idc reads untagged YAML, remove the tag",
        "desired/a.yaml:5:5: groups[1].description: expected a string, got binary data "
        "(!!binary); write the text itself",
    )


def test_one_error_per_problem(idc: IdcRunner, tmp_path: Path) -> None:
    """An empty name is one problem (not "empty" and "no pattern match"); a
    misspelt required key is one problem (not "unknown" and "missing")."""
    make_repo(
        tmp_path,
        {"desired/a.yaml": 'users:\n  - user_name: ""\ngroups:\n  - nam: X\n'},
        settings="instance: foo\n",
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:2:5: users[0].user_name: must not be empty",
        'desired/a.yaml:4:5: unknown key "nam" in groups[0]; did you mean "name"? '
        "(allowed: description, external_ids, members, name)",
        "idc.yaml:1:1: instance: must be auto or an Identity Center instance ARN "
        '(arn:aws:sso:::instance/ssoins- and 16 characters); got "foo"',
    )


def test_unknown_key_suggests_the_closest_allowed_key(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups:\n  - name: Platform\n    descripton: x\n"})
    fails_with(
        idc,
        tmp_path,
        'desired/a.yaml:3:5: unknown key "descripton" in groups[0]; did you mean "description"? '
        "(allowed: description, external_ids, members, name)",
    )


def test_unknown_top_level_key(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "permission_set: []\n"})
    fails_with(
        idc,
        tmp_path,
        'desired/a.yaml:1:1: unknown key "permission_set" at top level; did you mean '
        '"permission_sets"? (allowed: assignments, groups, permission_sets, users)',
    )


def test_aws_limits_are_enforced(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            users:
              - user_name: alice@example.com
                emails: [{value: a@example.com}, {value: b@example.com}]
            permission_sets:
              - name: Read Only
                session_duration: PT13H
            """
        },
    )
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:3:5: users[0].emails: at most 1 item allowed, got 2",
        'desired/a.yaml:5:5: permission_sets[0].name: "Read Only" is not a name of letters, '
        "digits and + = , . @ _ - (no spaces)",
    )


def test_session_duration_beyond_twelve_hours(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"desired/a.yaml": "permission_sets:\n  - name: Long\n    session_duration: PT13H\n"},
    )
    fails_with(
        idc,
        tmp_path,
        'desired/a.yaml:2:5: permission set "Long": session_duration PT13H is outside '
        "the AWS range PT1H to PT12H",
    )


def _policy_of(statements: int) -> str:
    """A permission set document whose inline policy has `statements` statements
    of about 95 characters each (compact JSON)."""
    lines = "".join(
        f"          - {{Sid: S{i}, Effect: Allow, Action: s3:GetObject, "
        f"Resource: 'arn:aws:s3:::bucket-number-{i:04d}/*'}}\n"
        for i in range(statements)
    )
    return (
        "permission_sets:\n  - name: Big\n    inline_policy:\n"
        "      Version: '2012-10-17'\n      Statement:\n" + lines
    )


def test_inline_policy_longer_than_aws_accepts(idc: IdcRunner, tmp_path: Path) -> None:
    """AWS would reject it only at apply time, in the middle of a run."""
    make_repo(tmp_path, {"desired/a.yaml": _policy_of(400)})
    (problem,) = problems(idc("--repo", str(tmp_path), "validate").stderr)
    assert problem.startswith(
        'desired/a.yaml:2:5: permission set "Big": inline_policy is 41,128 characters'
    )
    assert "as sent to AWS (compact JSON), more than the 32,768 AWS allows" in problem
    make_repo(tmp_path, {"desired/a.yaml": _policy_of(300)})
    assert idc("--repo", str(tmp_path), "validate").exit_code == 0


def test_duplicate_key_in_one_file(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups:\n  - name: A\n    name: B\n"})
    result = idc("--repo", str(tmp_path), "validate")
    (line,) = problems(result.stderr)
    assert line.startswith('desired/a.yaml:3:5: found duplicate key "name"')
    assert "first defined at line 2" in line


def test_same_item_twice_in_one_file(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "users:\n  - user_name: a\n  - user_name: a\n"})
    fails_with(idc, tmp_path, 'desired/a.yaml:3:5: user "a" is also defined at desired/a.yaml:2:5')


def test_same_key_in_two_files_names_both(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": "groups:\n  - name: Other\n  - name: Platform\n",
            "desired/teams/b.yaml": "# team file\n\ngroups:\n  - name: Platform\n",
        },
    )
    fails_with(
        idc,
        tmp_path,
        'desired/teams/b.yaml:4:5: group "Platform" is also defined at desired/a.yaml:3:5',
    )


def test_empty_file_is_a_warning_not_a_failure(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"desired/a.yaml": "groups: []\n", "desired/placeholder.yaml": "# nothing yet\n"},
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "desired/placeholder.yaml:1:1: warning: file holds no documents (empty); "
        "nothing loaded from it\n"
    )


NOTHING_DECLARED = (
    "desired/: warning: nothing declared yet ({found} with top-level users, groups, "
    "permission_sets, assignments), so plans change nothing; declare some in "
    "desired/*.yaml, or adopt the live organization with `idc --repo {repo} init --from-live`\n"
)


def test_only_empty_files_passes_with_one_note(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "", "desired/b.yaml": "# later\n"})
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == NOTHING_DECLARED.format(found="2 files, none", repo=tmp_path)


def test_non_utf8_file(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": b"groups:\n  - name: Caf\xe9\n"})
    fails_with(idc, tmp_path, "desired/a.yaml:2:14: file is not UTF-8 (byte 0xe9)")


def test_directory_without_documents_passes_with_a_note(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/README.md": "docs only\n"})
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == NOTHING_DECLARED.format(found="no file", repo=tmp_path)


def test_missing_desired_directory(idc: IdcRunner, tmp_path: Path) -> None:
    (tmp_path / "idc.yaml").write_text("instance: auto\n")
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: desired/: no desired/ directory")


def test_missing_settings_says_how_to_create_them(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(tmp_path, {"desired/a.yaml": "groups: []\n"}, settings=None)
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert "no idc.yaml in" in result.stderr
    assert f"`idc init {tmp_path}`" in result.stderr


def test_bad_settings_are_located(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"desired/a.yaml": "groups: []\n"},
        settings="manage:\n  user: false\nencryption:\n  key: vault:x\n",
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    lines = problems(result.stderr)
    assert lines[0].startswith('idc.yaml:2:3: unknown key "user" in manage; did you mean "users"?')
    assert lines[1] == (
        'idc.yaml:4:3: encryption.key: "vault:x" is not env:NAME, file:PATH or kms:KEY_ID_OR_ARN'
    )


def test_unknown_references(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/people.yaml": "users:\n  - user_name: alice@example.com\n",
            "desired/team.yaml": """
            groups:
              - name: Platform
                members: [alice@example.com, alcie@example.com]
            permission_sets:
              - name: ReadOnly
            assignments:
              - permission_set: ReadOnyl
                groups: [Platfrom]
                users: [nobody]
                accounts: "*"
            """,
        },
    )
    fails_with(
        idc,
        tmp_path,
        'desired/team.yaml:3:34: group "Platform": unknown user "alcie@example.com"; '
        'did you mean "alice@example.com"?',
        'desired/team.yaml:7:5: unknown permission set "ReadOnyl"; did you mean "ReadOnly"?',
        'desired/team.yaml:8:14: unknown group "Platfrom"; did you mean "Platform"?',
        'desired/team.yaml:9:13: unknown user "nobody"',
    )


def test_assignment_without_principals(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"desired/a.yaml": "assignments:\n  - permission_set: ReadOnly\n    accounts: '*'\n"},
    )
    fails_with(
        idc,
        tmp_path,
        'desired/a.yaml:2:5: assignment of permission set "ReadOnly" has no groups or users',
    )


def test_scim_mode_does_not_check_idp_principals(idc: IdcRunner, tmp_path: Path) -> None:
    settings = "manage: {users: false, groups: false, memberships: false}\n"
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            permission_sets:
              - name: ReadOnly
            assignments:
              - permission_set: ReadOnly
                groups: [FromOkta]
                users: [someone@idp.example.com]
                accounts: "*"
            """
        },
        settings=settings,
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output


def test_declaring_an_unmanaged_kind_warns(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {"desired/a.yaml": "users:\n  - user_name: a\n"},
        settings="manage: {users: false}\n",
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0
    assert result.stderr == (
        "desired/a.yaml:2:5: warning: users here are ignored: idc.yaml sets manage.users to false\n"
    )


def test_several_errors_across_files_in_one_run(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": "groups:\n  - name: [x\n",
            "desired/b.yaml": "users:\n  - user_name: a\n    titel: x\n",
            "desired/c.yaml": "users:\n  - user_name: b\n  - user_name: b\n",
        },
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: 3 problems\n")
    located = [line.split(": ", 1)[0] for line in problems(result.stderr)]
    assert located == ["desired/a.yaml:3:1", "desired/b.yaml:3:5", "desired/c.yaml:3:5"]


HAS_FILTERS = importlib.util.find_spec("reconciler.desired.filters") is not None


def test_filter_syntax_error_points_into_the_yaml_value(idc: IdcRunner, tmp_path: Path) -> None:
    assert HAS_FILTERS, "reconciler.desired.filters is part of the product"
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            assignments:
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: "ou:/Root/Prod and (tag:env=prod"
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: tag:env=prod and and name:x
              - permission_set: ReadOnly
                groups: [Platform]
                accounts: >-
                  name:a or
            """
        },
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    located = [line.split(": ", 2)[0:2] for line in problems(result.stderr)]
    # Columns: the closing position after the 31-character expression that
    # starts at column 16 (inside the quotes); the second `and`, column 18 of
    # the plain scalar that starts at column 15; the end (column 10) of the
    # folded block scalar whose text starts at column 7 of the next line.
    assert located == [
        ["desired/a.yaml:4:47", "invalid account filter"],
        ["desired/a.yaml:7:32", "invalid account filter"],
        ["desired/a.yaml:11:16", "invalid account filter"],
    ]


def test_empty_top_level_key_asks_for_an_explicit_empty_list(
    idc: IdcRunner, tmp_path: Path
) -> None:
    """`users:` alone is null, not "no users": deleting everyone needs `users: []`."""
    make_repo(tmp_path, {"desired/a.yaml": "groups: []\nusers:\n"})
    fails_with(
        idc,
        tmp_path,
        "desired/a.yaml:2:1: users: expected a list, got null; write [] for an empty list",
    )


PROTECT = """safety:
  protect:
    - "assigment:AdministratorAccess:group:BreakGlass:*"
    - "assignment:AdministratorAccess:group:BreakGlass"
    - "assignment:AdministratorAccess:team:BreakGlass:*"
    - "group:BreakGlas"
"""
DESIRED_GROUP = {"desired/a.yaml": "groups:\n  - name: Platform\n"}


def test_protect_pattern_of_no_kind_or_shape_is_located_without_a_snapshot(
    idc: IdcRunner, tmp_path: Path
) -> None:
    """Kind and key shape are checked offline; whether `group:BreakGlas`
    exists only AWS can say, and there is no snapshot to ask."""
    make_repo(tmp_path, DESIRED_GROUP, settings=PROTECT)
    fails_with(
        idc,
        tmp_path,
        'idc.yaml:3:7: safety.protect "assigment:AdministratorAccess:group:BreakGlass:*" names '
        'no kind "assigment" (kinds: user, group, membership, permission_set, assignment); '
        'did you mean "assignment:AdministratorAccess:group:BreakGlass:*"?',
        'idc.yaml:4:7: safety.protect "assignment:AdministratorAccess:group:BreakGlass" has 3 '
        "of the 4 parts of an assignment key "
        "(assignment:PERMISSION_SET:PRINCIPAL_TYPE:PRINCIPAL:ACCOUNT); end it with `*` to "
        "match the rest",
        'idc.yaml:5:7: safety.protect "assignment:AdministratorAccess:team:BreakGlass:*" has '
        'principal type "team"; it must be user or group',
    )


def test_protect_pattern_matching_nothing_in_desired_or_the_snapshot(
    idc: IdcRunner, tmp_path: Path
) -> None:
    make_repo(
        tmp_path,
        DESIRED_GROUP,
        settings='safety:\n  protect:\n    - "group:BreakGlas"\n    - "group:Platform"\n'
        '    - "assignment:AdministratorAccess:group:BreakGlass:*"\n',
    )
    shutil.copytree(ROOT / "state", tmp_path / "state")  # the demo organization's snapshot
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 1
    (line,) = problems(result.stderr)
    assert line.startswith(
        'idc.yaml:3:7: safety.protect "group:BreakGlas" matches no group in desired/ or the '
        "snapshot in state/ of "
    )
    assert line.endswith(
        'so it protects nothing; did you mean "group:BreakGlass"? '
        f"(if it was created since, `idc --repo {tmp_path} snapshot` records it)"
    )


def test_inline_policy_grammar_is_checked_where_written(idc: IdcRunner, tmp_path: Path) -> None:
    """AWS rejects these only at apply time; each is located at its key."""
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            permission_sets:
              - name: A
                inline_policy:
                  Version: "2012-10-18"
                  Statement:
                    - Sid: Read-1
                      Effect: allow
                      Action: s3:GetObject
                      NotAction: s3:PutObject
                      Resource: "*"
                      Principal: {AWS: "*"}
                    - Efect: Deny
                      Action: [iam:CreateUser, CreateUser]
                      Resource: bucket
            """
        },
    )
    trail = "permission_sets[0].inline_policy"
    fails_with(
        idc,
        tmp_path,
        f'desired/a.yaml:4:7: {trail}.Version: must be "2012-10-17" or "2008-10-17" (in quotes); '
        'got "2012-10-18"',
        f"desired/a.yaml:6:11: {trail}.Statement[0].Sid: must be letters and digits only; got "
        '"Read-1"',
        f'desired/a.yaml:7:11: {trail}.Statement[0].Effect: must be "Allow" or "Deny"; got "allow"',
        f"desired/a.yaml:9:11: {trail}.Statement[0]: has both Action and NotAction; a statement "
        "takes one of them",
        f"desired/a.yaml:11:11: {trail}.Statement[0].Principal: not allowed here: a permission "
        "set's inline policy applies to whoever uses the permission set, so it names no principal",
        f'desired/a.yaml:12:11: {trail}.Statement[1]: unknown key "Efect" in a statement; did you '
        'mean "Effect"? (allowed: Sid, Effect, Action, NotAction, Resource, NotResource, '
        "Condition)",
        f'desired/a.yaml:13:36: {trail}.Statement[1].Action[1]: "CreateUser" is not an action: '
        'write "service:Action" (e.g. "s3:GetObject", wildcards * and ? allowed) or "*"',
        f'desired/a.yaml:14:11: {trail}.Statement[1].Resource: "bucket" is not a resource: write '
        'an ARN or "*"',
    )


def test_a_valid_inline_policy_passes_and_a_missing_version_warns(
    idc: IdcRunner, tmp_path: Path
) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            permission_sets:
              - name: A
                inline_policy:
                  Version: "2012-10-17"
                  Statement:
                    - Sid: DenyOutsideEu
                      Effect: Deny
                      NotAction: ["iam:*", "sts:*"]
                      Resource: "*"
                      Condition: {StringNotEquals: {"aws:RequestedRegion": [eu-west-1]}}
              - name: B
                inline_policy:
                  Statement: {Effect: Allow, Action: "s3:Get*", NotResource: "arn:aws:s3:::x/*"}
            """
        },
    )
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "desired/a.yaml:13:7: warning: permission_sets[1].inline_policy: no Version; IAM then "
        'reads the policy as "2008-10-17", where policy variables such as ${aws:username} are '
        'plain text; add Version: "2012-10-17"\n'
    )


def test_a_statement_missing_its_elements(idc: IdcRunner, tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": """
            permission_sets:
              - name: A
                inline_policy:
                  Version: "2012-10-17"
                  Statement:
                    - Sid: Empty
            """
        },
    )
    trail = "permission_sets[0].inline_policy.Statement[0]"
    fails_with(
        idc,
        tmp_path,
        f"desired/a.yaml:6:11: {trail}: missing Action (or NotAction)",
        f"desired/a.yaml:6:11: {trail}: missing Effect (Allow or Deny)",
        f"desired/a.yaml:6:11: {trail}: missing Resource (or NotResource)",
    )


def test_idc_yaml_and_desired_problems_are_reported_in_one_run(
    idc: IdcRunner, tmp_path: Path
) -> None:
    """A broken idc.yaml does not hide desired/'s problems; the checks that
    need its settings (references) are the only ones skipped."""
    make_repo(
        tmp_path,
        {"desired/a.yaml": "groups:\n  - name: A\n    members: [nobody]\n  - name: A\n"},
        settings="manage:\n  user: false\n",
    )
    fails_with(
        idc,
        tmp_path,
        'desired/a.yaml:4:5: group "A" is also defined at desired/a.yaml:2:5',
        'idc.yaml:2:3: unknown key "user" in manage; did you mean "users"? (allowed: '
        "assignments, groups, memberships, permission_sets, users)",
    )


def test_validate_finds_idc_yaml_in_a_parent_directory(
    idc: IdcRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like git finds .git: from desired/teams/ it validates the repository."""
    (tmp_path / "repo").mkdir()
    repo = make_repo(tmp_path / "repo", {"desired/teams/a.yaml": "groups:\n  - name: [A\n"})
    monkeypatch.chdir(repo / "desired" / "teams")
    result = idc("validate")
    assert result.exit_code == 1
    (problem,) = problems(result.stderr)
    assert problem.startswith("desired/teams/a.yaml:3:1: ")
    (repo / "desired" / "teams" / "a.yaml").write_text("groups:\n  - name: A\n")
    assert idc("validate").stdout == (
        "valid: 0 users, 1 group, 0 memberships, 0 permission sets, 0 assignment rules in 1 file\n"
    )
    monkeypatch.chdir(tmp_path)
    if find_repo(tmp_path) is None:  # no idc.yaml above the test's directory either
        outside = idc("validate")
        assert outside.exit_code == 1
        assert outside.stderr == (
            "error: idc.yaml: no idc.yaml in the current directory or its parents: not an idc "
            "repository (create one with `idc init .`, or pass --repo DIR)\n"
        )


def test_every_yaml_suffix_is_loaded_alike(idc: IdcRunner, tmp_path: Path) -> None:
    """a.yaml, b.yml and C.YAML are all desired files: loaded, validated,
    counted, and checked for the same key twice across them."""
    make_repo(
        tmp_path,
        {
            "desired/a.yaml": "groups:\n  - name: A\n",
            "desired/b.yml": "groups:\n  - name: B\n",
            "desired/C.YAML": "groups:\n  - name: A\n",
        },
    )
    fails_with(idc, tmp_path, 'desired/a.yaml:2:5: group "A" is also defined at desired/C.YAML:2:5')
    (tmp_path / "desired" / "C.YAML").write_text("groups:\n  - name: C\n")
    result = idc("--repo", str(tmp_path), "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "3 groups, 0 memberships, 0 permission sets, 0 assignment rules in 3 files\n"
    )
