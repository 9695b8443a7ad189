"""hlox.passes: pipeline parsing, typed options, registration, and running Python and C++ passes together."""
import re

import pytest

import hlox.passes as hp
from hlox.lowering.mlir import make_context
from hlox.passes import registry
from hlox.tools import opt
from hlox.tools.mlir_io import parse_source

SOURCE = """
func.func @f(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.add %a, %a : tensor<2xf32>
  %1 = stablehlo.add %a, %a : tensor<2xf32>
  %2 = stablehlo.negate %0 : tensor<2xf32>
  %3 = stablehlo.negate %2 : tensor<2xf32>
  %4 = stablehlo.multiply %3, %1 : tensor<2xf32>
  return %4 : tensor<2xf32>
}
func.func private @g(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}
"""


@pytest.fixture
def module():
    return parse_source(SOURCE, "test.mlir", make_context())


@pytest.fixture
def scratch_passes():
    """Names registered by a test are removed afterwards."""
    before = set(registry._PASSES)
    yield
    for name in set(registry._PASSES) - before:
        del registry._PASSES[name]


def _ops(module):
    return [op.operation.name for f in module.body for op in f.regions[0].blocks[0]]


@pytest.mark.parametrize("text, expected", [
    ("builtin.module(cse)", "builtin.module(cse)"),
    ("builtin.module(p1,p2{k=v},func.func(p3))", "builtin.module(p1,p2{k=v},func.func(p3))"),
    (" builtin.module( cse , func.func( canonicalize{ max-iterations=2 } ) ) ",
     "builtin.module(cse,func.func(canonicalize{max-iterations=2}))"),
    ("cse,canonicalize", "builtin.module(cse,canonicalize)"),
    ("func.func(cse)", "builtin.module(func.func(cse))"),
    ("any(cse)", "any(cse)"),
    ("builtin.module(hlox-batch{in-axes={0,none} name=\"a b\"})", "builtin.module(hlox-batch{in-axes={0,none} name=\"a b\"})"),
    ("", "builtin.module()"),
])
def test_parse_pipeline_round_trips(text, expected):
    assert str(hp.parse_pipeline(text)) == expected


def test_parse_pipeline_structure():
    p = hp.parse_pipeline("builtin.module(a,b{x=1 y={2 3}},func.func(c))")
    assert p.anchor == "builtin.module"
    assert p.elements[0] == hp.PassRef("a")
    assert p.elements[1] == hp.PassRef("b", "x=1 y={2 3}")
    assert p.elements[2] == hp.Nested("func.func", (hp.PassRef("c"),))


@pytest.mark.parametrize("text, message", [
    ("builtin.module(cse", "expected ',' or ')'"),
    ("builtin.module(cse{a=1)", "unbalanced '{'"),
    ("builtin.module(,cse)", "expected a pass or operation name"),
    ("cse canonicalize", "expected ',' or the end"),
])
def test_parse_pipeline_errors_point_at_the_problem(text, message):
    with pytest.raises(hp.PipelineError, match=re.escape(message)) as info:
        hp.parse_pipeline(text)
    assert "^" in str(info.value)


def test_split_options():
    assert registry.split_options("func=f wrt=0,1 name='a b' x={c d} flag") == [
        ("func", "f"), ("wrt", "0,1"), ("name", "a b"), ("x", "c d"), ("flag", "true")]


@pytest.mark.parametrize("tp, text, value", [
    (int, "3", 3), (float, "0.5", 0.5), (bool, "false", False), (bool, "1", True), (str, "main", "main"),
    (list[int], "0,2", [0, 2]), (list[int], "", []), (list[int | None], "0,none,1", [0, None, 1]),
    (int | None, "none", None),
])
def test_typed_option_values(tp, text, value):
    assert registry.parse_value(tp, text) == value


@pytest.mark.parametrize("tp, text", [(int, "x"), (bool, "maybe"), (list[int], "0,a"), (int | None, "y")])
def test_typed_option_errors(tp, text):
    with pytest.raises(ValueError, match="expected"):
        registry.parse_value(tp, text)


def test_options_namespace_and_errors():
    info = hp.get("hlox-batch")
    options = info.parse_options("func=g in-axes=0,none size=4")
    assert (options.func, options.in_axes, options.size, options.name) == ("g", [0, None], 4, None)
    assert info.parse_options("").func == "main"
    with pytest.raises(ValueError, match="has no option 'axes'"):
        info.parse_options("axes=0")


def test_register_rejects_duplicates_and_mlir_names(scratch_passes):
    hp.register("test-dup", description="d")(lambda op, o: None)
    with pytest.raises(ValueError, match="already registered"):
        hp.register("test-dup", description="d")(lambda op, o: None)
    with pytest.raises(ValueError, match="MLIR pass"):
        hp.register("cse", description="d")(lambda op, o: None)
    with pytest.raises(TypeError):
        hp.Option("bad", dict)


def test_python_and_mlir_passes_run_in_order(module, scratch_passes):
    seen = []

    @hp.register("test-record", description="record", options=[hp.Option("tag", str, "x")])
    def record(op, options):
        seen.append((options.tag, op.name, _ops(module).count("stablehlo.add")))

    hp.run(module, "builtin.module(test-record{tag=before},func.func(cse),test-record{tag=after})")
    assert seen == [("before", "builtin.module", 2), ("after", "builtin.module", 1)]


def test_nested_python_pass_runs_on_each_function(module, scratch_passes):
    names = []

    @hp.register("test-names", description="names", anchor="func.func")
    def collect(func, options):
        names.append(str(func.attributes["sym_name"]))

    hp.run(module, "builtin.module(func.func(cse,test-names,canonicalize))")
    hp.run(module, "test-names")  # implicitly nested: a func.func pass at module level
    assert names == ['"f"', '"g"'] * 2


def test_errors_and_remarks_become_diagnostics(module, scratch_passes):
    @hp.register("test-remark", description="r", anchor="func.func")
    def remark(func, options):
        hp.emit_remark(func, "hello")

    @hp.register("test-fail", description="f")
    def fail(op, options):
        raise hp.PassError("it broke")

    @hp.register("test-bug", description="b")
    def bug(op, options):
        return 1 / 0

    diags = hp.run(module, "test-remark")
    assert [(d.severity, d.message, d.file_line_col()[:2]) for d in diags] == [
        ("remark", "hello", ("test.mlir", 2)), ("remark", "hello", ("test.mlir", 10))]
    with pytest.raises(hp.PipelineError) as info:
        hp.run(module, "test-fail")
    assert [str(d) for d in info.value.diagnostics] == ["test.mlir:1:1: error: test-fail: it broke"]
    with pytest.raises(hp.PipelineError, match="test-bug failed: ZeroDivisionError"):
        hp.run(module, "test-bug")


def test_rewrite_pass(module, scratch_passes):
    double_negate = hp.rewrite_pass("test-fold-negate", description="neg(neg(x)) -> x")

    @double_negate.pattern("stablehlo.negate")
    def fold(op, rewriter, options):
        inner = op.operands[0].owner
        if getattr(inner, "name", None) != "stablehlo.negate":
            return False
        rewriter.replace_op(op, [inner.operands[0]])
        return True

    hp.run(module, "func.func(test-fold-negate)")
    assert "stablehlo.negate" not in _ops(module)


def test_inline_and_symbol_dce(module):
    text = SOURCE.replace("%4 = stablehlo.multiply %3, %1", "%5 = call @g(%3) : (tensor<2xf32>) -> tensor<2xf32>\n"
                          "  %4 = stablehlo.multiply %5, %1")
    m = parse_source(text, "t.mlir", make_context())
    hp.run(m, "builtin.module(inline,symbol-dce)")
    assert "func.call" not in _ops(m) and len(list(m.body)) == 1


def test_transform_passes_are_registered_with_their_options(module, scratch_passes):
    for name in ("hlox-jvp", "hlox-vjp", "hlox-grad", "hlox-batch"):
        assert [o.name for o in hp.get(name).options] == [o.name for o in hp.transform_passes.transform_options(name)]
    with pytest.raises(hp.PipelineError, match="no function @h in the module"):
        hp.run(module, "hlox-batch{func=h size=2}")


def test_apply_runs_one_pass_with_keyword_options(module):
    hp.apply(module, "hlox-vjp", func="f", wrt=[0], name="f_back")
    assert "f_back" in str(module)
    with pytest.raises(hp.PassError, match="no function @h in the module") as info:
        hp.apply(module, "hlox-batch", func="h", size=2)
    assert not isinstance(info.value, hp.PipelineError)  # the pass's own error, as it raised it
    with pytest.raises(hp.PassError, match="pass 'hlox-batch' has no option 'sizes'"):
        hp.apply(module, "hlox-batch", func="f", sizes=2)
    with pytest.raises(hp.PipelineError, match="'nosuch' does not refer to a registered Python pass"):
        hp.apply(module, "nosuch")


def test_apply_verifies_what_the_pass_built(module, scratch_passes):
    @hp.register("test-break", description="leaves a function without a terminator")
    def _(op, options):
        from hlox.lowering.mlir import ir
        block = op.regions[0].blocks[0]
        for inner in block.operations:
            if inner.operation.name == "func.func":
                ops = list(inner.operation.regions[0].blocks[0].operations)
                ops[-1].operation.erase()
                return

    with pytest.raises(hp.PipelineError, match="pass pipeline failed"):
        hp.apply(module, "test-break")


def test_validate_unknown_pass():
    with pytest.raises(hp.PipelineError, match="'nosuch' does not refer to a registered pass"):
        hp.validate("builtin.module(cse,nosuch)")


def test_tool_reports_bad_input_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f() {\n  %0 = foo\n}\n")
    assert opt.main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:8: error: custom op 'foo' is unknown" in err and "Traceback" not in err
    assert opt.main([str(bad), "--pass-pipeline=builtin.module(cse"]) == 1
    assert "invalid pass pipeline" in capsys.readouterr().err


def test_tool_output_file_and_bytecode(tmp_path, capsys):
    src = tmp_path / "in.mlir"
    src.write_text(SOURCE)
    out, bc = tmp_path / "out.mlir", tmp_path / "out.mlirbc"
    assert opt.main([str(src), "--cse", "-o", str(out)]) == 0
    assert out.read_text().count("stablehlo.add") == 1
    assert opt.main([str(out), "--emit-bytecode", "-o", str(bc)]) == 0
    assert bc.read_bytes().startswith(b"ML\xefR")
    assert opt.main([str(bc)]) == 0
    assert capsys.readouterr().out.count("stablehlo.add") == 1
