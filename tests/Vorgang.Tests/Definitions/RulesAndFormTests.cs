using System.Text.Json.Nodes;
using Vorgang.Workflows.Definitions;

namespace Vorgang.Tests.Definitions;

public sealed class RulesTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);
    private static readonly DateTime Midnight = Today.ToDateTime(TimeOnly.MinValue);

    private static object? Eval(string text, params (string Name, object? Value)[] values) =>
        Rules.Evaluate(text, values.ToDictionary(v => v.Name, v => v.Value), Today);

    private static bool IsTrue(string text, params (string Name, object? Value)[] values) =>
        Rules.IsTrue(text, values.ToDictionary(v => v.Name, v => v.Value), Today);

    [Fact]
    public void Check_lists_the_names_an_expression_reads_including_address_parts()
    {
        var check = Rules.Check("[newAddress.postalCode] in ('07745', '07747') and age >= 18 and isSet(landlordName) and age < 99");

        Assert.Null(check.Error);
        Assert.Equal(["age", "landlordName", "newAddress.postalCode"], check.Parameters.Order(StringComparer.Ordinal));
        Assert.Equal(["isSet"], check.Functions);
    }

    [Theory]
    [InlineData("age >= (18")]
    [InlineData("age >=")]
    [InlineData("'unclosed")]
    public void Check_reports_a_syntax_error(string text)
    {
        var check = Rules.Check(text);

        Assert.False(string.IsNullOrWhiteSpace(check.Error));
        Assert.Empty(check.Parameters);
    }

    [Theory]
    [InlineData("exec(age)", "exec")]
    [InlineData("if(true, System(1), 2)", "System")]
    public void Check_refuses_functions_outside_the_closed_set(string text, string function)
    {
        Assert.StartsWith($"unknown function '{function}'", Rules.Check(text).Error);
    }

    [Theory]
    [InlineData("Abs(-2) + Max(1, 3) + Min(1, 3) + Round(1.26, 1) + Floor(1.5) + Ceiling(1.5)")]
    [InlineData("Pow(2, 3) + Sqrt(4) + Sign(-3) + Truncate(1.9)")]
    [InlineData("if(true, 1, 2) + ifs(false, 1, true, 2, 3)")]
    [InlineData("in(1, 1, 2) and today() = today() and daysSince(today()) = 0 and daysUntil(today()) = 0 and count(x) = 0 and not isSet(x)")]
    public void Check_accepts_the_documented_functions(string text)
    {
        Assert.Null(Rules.Check(text).Error);
        Assert.Null(Record.Exception(() => Eval(text, ("x", null))));
    }

    [Theory]
    [InlineData("07745", true)]
    [InlineData("07747", true)]
    [InlineData("07743", false)]
    [InlineData(null, false)]
    public void In_compares_an_address_part_with_a_list(string? postalCode, bool expected)
    {
        Assert.Equal(expected, IsTrue("[newAddress.postalCode] in ('07745', '07747')", ("newAddress.postalCode", postalCode)));
    }

    [Fact]
    public void In_as_a_function_and_strings_are_case_sensitive()
    {
        Assert.True(IsTrue("in(category, 'graffiti', 'playground')", ("category", "playground")));
        Assert.False(IsTrue("in(category, 'graffiti', 'playground')", ("category", "Playground")));
        Assert.False(IsTrue("category = 'graffiti'", ("category", "Graffiti")));
    }

    [Theory]
    [InlineData(3, 2.0, true)]
    [InlineData(3, 1.9, false)]
    [InlineData(7, 2.5, false)]
    [InlineData(7, 3.0, true)]
    [InlineData(11, 4.9, false)]
    [InlineData(11, 5.0, true)]
    public void If_chooses_the_branch(int grade, double distanceKm, bool expected)
    {
        const string eligible = "if(grade <= 4, distanceKm >= 2, if(grade <= 10, distanceKm >= 3, distanceKm >= 5))";

        Assert.Equal(expected, IsTrue(eligible, ("grade", (decimal)grade), ("distanceKm", (decimal)distanceKm)));
    }

    [Fact]
    public void Today_is_the_date_passed_in()
    {
        Assert.Equal(Midnight, Eval("today()"));
    }

    [Fact]
    public void DaysSince_and_daysUntil_count_calendar_days_from_dates_and_iso_strings()
    {
        Assert.Equal(20m, Eval("daysSince(d)", ("d", Midnight.AddDays(-20))));
        Assert.Equal(20m, Eval("daysSince(d)", ("d", "2026-02-10")));
        Assert.Equal(-3m, Eval("daysSince(d)", ("d", "2026-03-05")));
        Assert.Equal(3m, Eval("daysUntil(d)", ("d", Midnight.AddDays(3))));
        Assert.True(IsTrue("daysSince(moveInDate) > 14", ("moveInDate", Midnight.AddDays(-15))));
        Assert.False(IsTrue("daysSince(moveInDate) > 14", ("moveInDate", Midnight.AddDays(-14))));
    }

    [Fact]
    public void DaysSince_an_empty_or_unreadable_date_is_unknown()
    {
        Assert.Null(Eval("daysSince(d)", ("d", null)));
        Assert.Null(Eval("daysUntil(d)", ("d", "01.03.2026")));
        Assert.False(IsTrue("daysSince(d) > 14", ("d", null)));
        Assert.False(IsTrue("daysSince(d) <= 14", ("d", null)));
    }

    [Fact]
    public void Count_counts_list_entries_and_an_empty_list_is_zero()
    {
        var two = new JsonArray(new JsonObject(), new JsonObject()).ToList();

        Assert.Equal(3m, Eval("1 + count(members)", ("members", two)));
        Assert.Equal(1m, Eval("1 + count(members)", ("members", null)));
        Assert.Equal(0m, Eval("count(members)", ("members", "not a list")));
    }

    [Fact]
    public void IsSet_means_filled_in_and_not_blank()
    {
        Assert.False(IsTrue("isSet(x)", ("x", null)));
        Assert.False(IsTrue("isSet(x)", ("x", "")));
        Assert.False(IsTrue("isSet(x)", ("x", "   ")));
        Assert.False(IsTrue("isSet(x)", ("x", new List<JsonNode?>())));
        Assert.True(IsTrue("isSet(x)", ("x", "a")));
        Assert.True(IsTrue("isSet(x)", ("x", new List<JsonNode?> { new JsonObject() })));
        Assert.True(IsTrue("isSet(x)", ("x", 0m)));
        Assert.True(IsTrue("isSet(x)", ("x", false)));
        Assert.False(IsTrue("isSet(notGiven)"));
    }

    [Fact]
    public void Numbers_are_decimals_so_money_adds_up()
    {
        Assert.Equal(0.3m, Eval("a + b", ("a", 0.1m), ("b", 0.2m)));
        Assert.Equal(30.70m, Eval("if(isRenewal, 20, 30.70)", ("isRenewal", false)));
    }

    [Fact]
    public void A_runtime_type_error_throws_in_evaluate_and_counts_as_false_in_isTrue()
    {
        Assert.ThrowsAny<Exception>(() => Eval("Sqrt(s) > 1", ("s", "abc")));

        Assert.False(IsTrue("Sqrt(s) > 1", ("s", "abc")));
        Assert.False(IsTrue("Sqrt(s) <= 1", ("s", "abc")));
    }

    [Fact]
    public void Only_true_is_true()
    {
        Assert.False(IsTrue("1 + 1"));
        Assert.False(IsTrue("'true'"));
        Assert.False(IsTrue("x", ("x", null)));
        Assert.True(IsTrue("x", ("x", true)));
    }

    [Fact]
    public void A_missing_parameter_is_null()
    {
        Assert.True(IsTrue("not isSet(missing)"));
        Assert.False(IsTrue("missing = 'x'"));
    }

    [Fact]
    public void A_function_the_check_accepts_can_be_evaluated()
    {
        foreach (var text in new[] { "TODAY() = today()", "abs(-1) = 1", "IsSet(x) = false", "DaysSince(today()) = 0" })
        {
            if (Rules.Check(text).Error is null) Assert.True(IsTrue(text, ("x", null)), text);
        }
    }

    [Fact]
    public void Form_values_become_parameters_dates_as_dates_and_address_parts_by_name()
    {
        List<FieldDefinition> fields =
        [
            new() { Id = "moveInDate", Type = FieldTypes.Date, Label = new("Datum", "Date") },
            new() { Id = "count", Type = FieldTypes.Integer, Label = new("Anzahl", "Count") },
            new() { Id = "ok", Type = FieldTypes.Boolean, Label = new("Ok", "Ok") },
            new() { Id = "addr", Type = FieldTypes.Address, Label = new("Anschrift", "Address") },
            new() { Id = "members", Type = FieldTypes.List, Label = new("Personen", "Persons"), Fields = [new() { Id = "n", Type = FieldTypes.Text, Label = new("N", "N") }] },
            new() { Id = "note", Type = FieldTypes.Text, Label = new("Notiz", "Note") },
        ];
        var data = new JsonObject
        {
            ["moveInDate"] = "2026-02-27",
            ["count"] = JsonNode.Parse("3"),
            ["ok"] = true,
            ["addr"] = new JsonObject { ["street"] = "Löbdergraben", ["houseNumber"] = "3", ["postalCode"] = "07743", ["city"] = "Jena" },
            ["members"] = new JsonArray(new JsonObject { ["n"] = "Max" }),
        };

        var values = FormValidator.ToParameters(fields, data);

        Assert.Equal(new DateTime(2026, 2, 27), values["moveInDate"]);
        Assert.Equal(3m, values["count"]);
        Assert.Equal(true, values["ok"]);
        Assert.Equal("07743", values["addr.postalCode"]);
        Assert.Equal("Jena", values["addr.city"]);
        Assert.Null(values["addr.addition"]);
        Assert.Null(values["note"]);
        Assert.True(Rules.IsTrue("[addr.postalCode] = '07743' and count(members) = 1 and daysSince(moveInDate) = 3 and ok", values, Today));
    }
}

public sealed class FormValidatorTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    private static FieldDefinition Field(string id, string type) => new() { Id = id, Type = type, Label = new(id, id) };

    private static List<FieldError> Validate(FieldDefinition field, JsonNode? value, string lang = "en") =>
        FormValidator.Validate([field], new JsonObject { [field.Id] = value?.DeepClone() }, lang, Today);

    /// <summary>A value as it arrives in a request: parsed from JSON text.</summary>
    private static JsonNode N(string json) => JsonNode.Parse(json)!;

    private static void Valid(FieldDefinition field, JsonNode? value) => Assert.Empty(Validate(field, value));

    /// <summary>Exactly one error, for the field, with the rule and the English message.</summary>
    private static void Invalid(FieldDefinition field, JsonNode? value, string rule, string message, string? path = null)
    {
        var error = Assert.Single(Validate(field, value));
        Assert.Equal(new FieldError(path ?? field.Id, rule, message), error);
    }

    [Fact]
    public void Required_fields_must_be_filled_in_and_blank_text_counts_as_empty()
    {
        var field = Field("name", FieldTypes.Text) with { Required = true };

        Invalid(field, null, "required", "Please fill in this field.");
        Invalid(field, "", "required", "Please fill in this field.");
        Invalid(field, "  ", "required", "Please fill in this field.");
        Assert.Equal([new FieldError("name", "required", "Please fill in this field.")], FormValidator.Validate([field], null, "en", Today));
        Assert.Equal([new FieldError("name", "required", "Bitte füllen Sie dieses Feld aus.")], FormValidator.Validate([field], new JsonObject(), "de", Today));
        Valid(field, "Erika");
        Assert.Empty(Validate(Field("name", FieldTypes.Text), null));
    }

    [Fact]
    public void A_required_boolean_may_be_false()
    {
        Valid(Field("consent", FieldTypes.Boolean) with { Required = true }, false);
    }

    [Fact]
    public void RequiredWhen_depends_on_other_values()
    {
        FieldDefinition[] fields =
        [
            Field("hasPet", FieldTypes.Boolean),
            Field("petName", FieldTypes.Text) with { RequiredWhen = "hasPet = true" },
        ];

        Assert.Equal([new FieldError("petName", "required", "Please fill in this field.")],
            FormValidator.Validate(fields, new JsonObject { ["hasPet"] = true }, "en", Today));
        Assert.Empty(FormValidator.Validate(fields, new JsonObject { ["hasPet"] = false }, "en", Today));
        Assert.Empty(FormValidator.Validate(fields, new JsonObject(), "en", Today));
        Assert.Empty(FormValidator.Validate(fields, new JsonObject { ["hasPet"] = true, ["petName"] = "Minka" }, "en", Today));
    }

    [Fact]
    public void A_hidden_field_must_stay_empty_and_is_not_required()
    {
        FieldDefinition[] fields =
        [
            Field("confirmation", FieldTypes.Boolean) with { Required = true },
            Field("landlordName", FieldTypes.Text) with { Required = true, MaxLength = 5, VisibleWhen = "confirmation = true" },
        ];

        Assert.Equal([new FieldError("landlordName", "not-applicable", "This field does not apply to your answers; leave it empty.")],
            FormValidator.Validate(fields, new JsonObject { ["confirmation"] = false, ["landlordName"] = "WG Jena eG" }, "en", Today));
        Assert.Equal([new FieldError("landlordName", "not-applicable", "Dieses Feld ist bei Ihren Angaben nicht auszufüllen.")],
            FormValidator.Validate(fields, new JsonObject { ["confirmation"] = false, ["landlordName"] = "WG" }, "de", Today));
        Assert.Empty(FormValidator.Validate(fields, new JsonObject { ["confirmation"] = false }, "en", Today));
        Assert.Empty(FormValidator.Validate(fields, new JsonObject { ["confirmation"] = false, ["landlordName"] = " " }, "en", Today));
        Assert.Equal([new FieldError("landlordName", "required", "Please fill in this field.")],
            FormValidator.Validate(fields, new JsonObject { ["confirmation"] = true }, "en", Today));
        Assert.Equal([new FieldError("landlordName", "maxLength", "Please enter at most 5 characters.")],
            FormValidator.Validate(fields, new JsonObject { ["confirmation"] = true, ["landlordName"] = "WG Jena eG" }, "en", Today));
    }

    [Fact]
    public void Text_length_is_counted_in_characters()
    {
        var field = Field("name", FieldTypes.Text) with { MinLength = 2, MaxLength = 5 };

        Valid(field, "Ab");
        Valid(field, "Äöüß!");
        Invalid(field, "A", "minLength", "Please enter at least 2 characters.");
        Invalid(field, "Abcdef", "maxLength", "Please enter at most 5 characters.");
        Assert.Equal("Bitte geben Sie höchstens 5 Zeichen ein.", Assert.Single(Validate(field, "Abcdef", "de")).Message);
        Assert.Equal("Bitte geben Sie mindestens 2 Zeichen ein.", Assert.Single(Validate(field, "A", "de")).Message);
    }

    [Fact]
    public void Text_is_at_most_ten_thousand_characters_by_default()
    {
        var field = Field("text", FieldTypes.Text);

        Valid(field, new string('x', 10_000));
        Invalid(field, new string('x', 10_001), "maxLength", "Please enter at most 10000 characters.");
    }

    [Fact]
    public void Text_must_be_a_string()
    {
        Invalid(Field("name", FieldTypes.Text), 42, "type", "Please enter text.");
        Invalid(Field("name", FieldTypes.Text), new JsonObject(), "type", "Please enter text.");
        Assert.Equal("Bitte geben Sie einen Text ein.", Assert.Single(Validate(Field("name", FieldTypes.Text), true, "de")).Message);
    }

    [Fact]
    public void Numbers_respect_min_and_max_with_the_language_s_decimal_separator()
    {
        var field = Field("distanceKm", FieldTypes.Number) with { Min = 0.5m, Max = 99.5m };

        Valid(field, N("0.5"));
        Valid(field, N("42"));
        Valid(field, 0.5m);
        Invalid(field, N("0.4"), "min", "The value must be at least 0.5.");
        Invalid(field, N("100"), "max", "The value must be at most 99.5.");
        Assert.Equal("Der Wert muss mindestens 0,5 sein.", Assert.Single(Validate(field, N("0.4"), "de")).Message);
        Assert.Equal("Der Wert darf höchstens 99,5 sein.", Assert.Single(Validate(field, N("100"), "de")).Message);
    }

    [Fact]
    public void A_number_must_be_a_json_number()
    {
        Invalid(Field("n", FieldTypes.Number), "5", "type", "Please enter a number.");
        Invalid(Field("n", FieldTypes.Integer), true, "type", "Please enter a number.");
        Assert.Equal("Bitte geben Sie eine Zahl ein.", Assert.Single(Validate(Field("n", FieldTypes.Number), "5", "de")).Message);
    }

    [Fact]
    public void A_number_built_in_code_is_a_number()
    {
        var field = Field("age", FieldTypes.Integer) with { Min = 0 };

        Assert.Empty(FormValidator.Validate([field], new JsonObject { ["age"] = 42 }, "en", Today));
        Assert.Equal(42m, FormValidator.ToParameters([field], new JsonObject { ["age"] = 42L })["age"]);
    }

    [Fact]
    public void An_integer_has_no_fraction()
    {
        var field = Field("grade", FieldTypes.Integer) with { Min = 1, Max = 13 };

        Valid(field, N("5"));
        Valid(field, N("5.0"));
        Invalid(field, N("5.5"), "integer", "Please enter a whole number.");
        Assert.Equal(
            [new FieldError("grade", "integer", "Bitte geben Sie eine ganze Zahl ein."), new FieldError("grade", "max", "Der Wert darf höchstens 13 sein.")],
            Validate(field, N("13.5"), "de"));
    }

    [Fact]
    public void Booleans_are_true_or_false()
    {
        Valid(Field("ok", FieldTypes.Boolean), true);
        Invalid(Field("ok", FieldTypes.Boolean), "true", "type", "Please choose yes or no.");
        Invalid(Field("ok", FieldTypes.Boolean), 1, "type", "Please choose yes or no.");
        Assert.Equal("Bitte wählen Sie Ja oder Nein.", Assert.Single(Validate(Field("ok", FieldTypes.Boolean), 0, "de")).Message);
    }

    [Fact]
    public void A_pattern_shows_its_own_message_in_the_language()
    {
        var field = Field("parcel", FieldTypes.Text) with
        {
            Pattern = "^[0-9]+/[0-9]+$",
            PatternMessage = new("Bitte geben Sie das Flurstück wie 123/4 an.", "Please give the parcel like 123/4."),
        };

        Valid(field, "123/4");
        Invalid(field, "123-4", "pattern", "Please give the parcel like 123/4.");
        Assert.Equal("Bitte geben Sie das Flurstück wie 123/4 an.", Assert.Single(Validate(field, "123-4", "de")).Message);
    }

    [Fact]
    public void A_pattern_without_message_has_a_default_message()
    {
        var field = Field("code", FieldTypes.Text) with { Pattern = "^[A-Z]{3}$" };

        Invalid(field, "abc", "pattern", "The value does not have the expected format.");
        Assert.Equal("Die Eingabe hat nicht das erwartete Format.", Assert.Single(Validate(field, "abcd", "de")).Message);
    }

    [Theory]
    [InlineData("erika.mustermann@example.org", true)]
    [InlineData("erika+jena@mail.example.org", true)]
    [InlineData("erika@localhost", false)]
    [InlineData("Erika <erika@example.org>", false)]
    [InlineData("erika.example.org", false)]
    [InlineData("erika@@example.org", false)]
    public void Email_addresses_are_checked(string value, bool valid)
    {
        var field = Field("email", FieldTypes.Email);

        if (valid) Valid(field, value);
        else Invalid(field, value, "email", "Please enter a valid email address.");
    }

    [Fact]
    public void Email_messages_are_in_german_too_and_length_applies()
    {
        var field = Field("email", FieldTypes.Email) with { MaxLength = 10 };

        Assert.Equal(
            [new FieldError("email", "maxLength", "Bitte geben Sie höchstens 10 Zeichen ein."), new FieldError("email", "email", "Bitte geben Sie eine gültige E-Mail-Adresse ein.")],
            Validate(field, "no-email-at-all", "de"));
    }

    [Theory]
    [InlineData("+49 3641 49-0", true)]
    [InlineData("03641 123456", true)]
    [InlineData("03641/49-123", true)]
    [InlineData("(03641) 49-123", false)]
    [InlineData("call me", false)]
    [InlineData("123", false)]
    [InlineData("+49 3641 49 0 ext. 5", false)]
    public void Phone_numbers_are_checked(string value, bool valid)
    {
        var field = Field("phone", FieldTypes.Phone);

        if (valid) Valid(field, value);
        else Invalid(field, value, "phone", "Please enter a valid phone number.");
    }

    [Fact]
    public void Phone_message_in_german()
    {
        Assert.Equal("Bitte geben Sie eine gültige Telefonnummer ein.", Assert.Single(Validate(Field("phone", FieldTypes.Phone), "call me", "de")).Message);
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("01.03.2026")]
    [InlineData("2026-3-1")]
    [InlineData("today")]
    public void Dates_are_yyyy_mm_dd(string value)
    {
        Invalid(Field("d", FieldTypes.Date), value, "date", "Please enter a date as YYYY-MM-DD.");
        Assert.Equal("Bitte geben Sie ein Datum im Format JJJJ-MM-TT ein.", Assert.Single(Validate(Field("d", FieldTypes.Date), value, "de")).Message);
    }

    [Fact]
    public void A_date_must_be_a_string()
    {
        Invalid(Field("d", FieldTypes.Date), 20260301, "date", "Please enter a date as YYYY-MM-DD.");
    }

    [Fact]
    public void Relative_date_bounds_count_from_today()
    {
        var field = Field("moveInDate", FieldTypes.Date) with { MinDate = "today-14d", MaxDate = "today+2w" };

        Valid(field, "2026-02-16");
        Valid(field, "2026-03-16");
        Invalid(field, "2026-02-15", "minDate", "The date must not be before 2026-02-16.");
        Invalid(field, "2026-03-17", "maxDate", "The date must not be after 2026-03-16.");
        Assert.Equal("Das Datum darf nicht vor dem 16.02.2026 liegen.", Assert.Single(Validate(field, "2026-02-15", "de")).Message);
        Assert.Equal("Das Datum darf nicht nach dem 16.03.2026 liegen.", Assert.Single(Validate(field, "2026-03-17", "de")).Message);
    }

    [Fact]
    public void Date_bounds_may_be_absolute_or_today()
    {
        var field = Field("d", FieldTypes.Date) with { MinDate = "2026-01-01", MaxDate = "today" };

        Valid(field, "2026-01-01");
        Valid(field, "2026-03-02");
        Invalid(field, "2025-12-31", "minDate", "The date must not be before 2026-01-01.");
        Invalid(field, "2026-03-03", "maxDate", "The date must not be after 2026-03-02.");
    }

    [Fact]
    public void A_choice_is_one_of_its_option_values()
    {
        var field = Field("category", FieldTypes.Choice) with
        {
            Options = [new("road-damage", new("Straßenschaden", "Road damage")), new("graffiti", new("Graffiti", "Graffiti"))],
        };

        Valid(field, "graffiti");
        Invalid(field, "Graffiti", "options", "Please choose one of: road-damage, graffiti.");
        Invalid(field, 1, "options", "Please choose one of: road-damage, graffiti.");
        Assert.Equal("Bitte wählen Sie einen der Werte: road-damage, graffiti.", Assert.Single(Validate(field, "other", "de")).Message);
    }

    private static JsonObject Address(string postalCode = "07743") => new()
    {
        ["street"] = "Löbdergraben", ["houseNumber"] = "3", ["postalCode"] = postalCode, ["city"] = "Jena",
    };

    [Fact]
    public void An_address_has_street_house_number_postal_code_and_city()
    {
        var field = Field("addr", FieldTypes.Address) with { Required = true };

        Valid(field, Address());
        var withAddition = Address();
        withAddition["addition"] = "Hinterhaus";
        Valid(field, withAddition);
        var incomplete = Address();
        incomplete.Remove("city");
        incomplete["houseNumber"] = " ";
        Assert.Equal(
            [new FieldError("addr.houseNumber", "required", "Please fill in this field."), new FieldError("addr.city", "required", "Please fill in this field.")],
            Validate(field, incomplete));
        Assert.Equal(4, Validate(field, new JsonObject()).Count(e => e.Rule == "required"));
    }

    [Theory]
    [InlineData("0774")]
    [InlineData("077433")]
    [InlineData("O7743")]
    public void A_postal_code_has_five_digits(string postalCode)
    {
        var field = Field("addr", FieldTypes.Address);

        Invalid(field, Address(postalCode), "pattern", "A postal code has five digits.", "addr.postalCode");
        Assert.Equal("Eine Postleitzahl hat fünf Ziffern.", Assert.Single(Validate(field, Address(postalCode), "de")).Message);
    }

    [Fact]
    public void An_address_pattern_applies_to_the_postal_code()
    {
        var field = Field("plotAddress", FieldTypes.Address) with { Pattern = "^077(4[3-9]|5[01])$" };
        var withMessage = field with { PatternMessage = new("Nur Jenaer Postleitzahlen.", "Only postal codes of Jena.") };

        Valid(field, Address("07745"));
        Invalid(field, Address("99423"), "pattern", "This postal code is not possible here.", "plotAddress.postalCode");
        Assert.Equal("Diese Postleitzahl ist hier nicht möglich.", Assert.Single(Validate(field, Address("99423"), "de")).Message);
        Invalid(withMessage, Address("99423"), "pattern", "Only postal codes of Jena.", "plotAddress.postalCode");
        Assert.Equal("Nur Jenaer Postleitzahlen.", Assert.Single(Validate(withMessage, Address("99423"), "de")).Message);
        // A malformed postal code gets the five-digit message, not the pattern message.
        Invalid(withMessage, Address("0774"), "pattern", "A postal code has five digits.", "plotAddress.postalCode");
    }

    [Fact]
    public void Address_parts_are_text_and_there_are_no_other_parts()
    {
        var field = Field("addr", FieldTypes.Address);
        var address = Address();
        address["houseNumber"] = 3;
        address["floor"] = "2";
        address["addition"] = new string('x', 201);

        Assert.Equal(
            [
                new FieldError("addr.floor", "unknown-field", "An address has no such field."),
                new FieldError("addr.houseNumber", "type", "Please enter text of at most 200 characters."),
                new FieldError("addr.addition", "type", "Please enter text of at most 200 characters."),
            ],
            Validate(field, address));
        Assert.Equal("Eine Anschrift hat dieses Feld nicht.", Validate(field, address, "de")[0].Message);
        Invalid(field, "Löbdergraben 3, 07743 Jena", "type", "Please give an address (street, house number, postal code, city).");
    }

    private static readonly FieldDefinition Members = Field("members", FieldTypes.List) with
    {
        MinItems = 1,
        MaxItems = 2,
        Fields =
        [
            Field("firstName", FieldTypes.Text) with { Required = true },
            Field("dateOfBirth", FieldTypes.Date) with { MaxDate = "today" },
        ],
    };

    [Fact]
    public void A_list_counts_its_entries()
    {
        Valid(Members, new JsonArray(new JsonObject { ["firstName"] = "Max" }));
        Invalid(Members, new JsonArray(), "minItems", "Please give at least 1 entries.");
        Invalid(Members, new JsonArray(new JsonObject { ["firstName"] = "A" }, new JsonObject { ["firstName"] = "B" }, new JsonObject { ["firstName"] = "C" }),
            "maxItems", "Please give at most 2 entries.");
        Assert.Equal("Bitte geben Sie höchstens 2 Einträge an.",
            Assert.Single(Validate(Members, new JsonArray(new JsonObject { ["firstName"] = "A" }, new JsonObject { ["firstName"] = "B" }, new JsonObject { ["firstName"] = "C" }), "de")).Message);
        Assert.Equal("Bitte geben Sie mindestens 1 Einträge an.", Assert.Single(Validate(Members, new JsonArray(), "de")).Message);
    }

    [Fact]
    public void A_list_has_at_most_one_hundred_entries_by_default()
    {
        var list = Field("items", FieldTypes.List) with { Fields = [Field("n", FieldTypes.Text)] };

        Valid(list, new JsonArray(Enumerable.Range(0, 100).Select(_ => (JsonNode?)new JsonObject()).ToArray()));
        Invalid(list, new JsonArray(Enumerable.Range(0, 101).Select(_ => (JsonNode?)new JsonObject()).ToArray()), "maxItems", "Please give at most 100 entries.");
    }

    [Fact]
    public void Errors_in_list_entries_name_the_entry_and_its_field()
    {
        var members = new JsonArray(
            new JsonObject { ["firstName"] = "Max", ["dateOfBirth"] = "2015-09-01" },
            new JsonObject { ["dateOfBirth"] = "2030-01-01", ["nickname"] = "Maxi" });

        Assert.Equal(
            [
                new FieldError("members[1].nickname", "unknown-field", "This form has no such field."),
                new FieldError("members[1].firstName", "required", "Please fill in this field."),
                new FieldError("members[1].dateOfBirth", "maxDate", "The date must not be after 2026-03-02."),
            ],
            Validate(Members, members));
    }

    [Fact]
    public void A_list_holds_objects()
    {
        Invalid(Members, new JsonObject { ["firstName"] = "Max" }, "type", "Please give a list.");
        Invalid(Members, new JsonArray("Max"), "type", "Each entry must be an object.", "members[0]");
        Assert.Equal("Jeder Eintrag muss ein Objekt sein.", Assert.Single(Validate(Members, new JsonArray(1), "de")).Message);
        Assert.Equal("Bitte geben Sie eine Liste an.", Assert.Single(Validate(Members, "Max", "de")).Message);
    }

    [Fact]
    public void Fields_the_form_does_not_have_are_refused()
    {
        var errors = FormValidator.Validate([Field("name", FieldTypes.Text)], new JsonObject { ["name"] = "Erika", ["isAdmin"] = true }, "en", Today);

        Assert.Equal([new FieldError("isAdmin", "unknown-field", "This form has no such field.")], errors);
        Assert.Equal("Dieses Feld gibt es in diesem Formular nicht.",
            Assert.Single(FormValidator.Validate([Field("name", FieldTypes.Text)], new JsonObject { ["isAdmin"] = true }, "de", Today)).Message);
    }

    [Fact]
    public void Every_error_is_reported_at_once_in_field_order_and_in_the_requested_language()
    {
        FieldDefinition[] fields =
        [
            Field("firstName", FieldTypes.Text) with { Required = true },
            Field("email", FieldTypes.Email),
            Field("age", FieldTypes.Integer) with { Min = 0 },
        ];
        var data = new JsonObject { ["email"] = "nope", ["age"] = N("-1") };

        Assert.Equal(
            [
                new FieldError("firstName", "required", "Bitte füllen Sie dieses Feld aus."),
                new FieldError("email", "email", "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
                new FieldError("age", "min", "Der Wert muss mindestens 0 sein."),
            ],
            FormValidator.Validate(fields, data, "de", Today));
        Assert.Equal(
            ["Please fill in this field.", "Please enter a valid email address.", "The value must be at least 0."],
            FormValidator.Validate(fields, data, "en", Today).Select(e => e.Message));
    }

    [Fact]
    public void Any_language_other_than_english_gets_german()
    {
        var field = Field("name", FieldTypes.Text) with { Required = true };

        Assert.Equal("Bitte füllen Sie dieses Feld aus.", Assert.Single(Validate(field, null, "fr")).Message);
    }

    [Fact]
    public void Action_inputs_see_the_form_values_in_their_conditions()
    {
        FieldDefinition[] inputs = [Field("reason", FieldTypes.Text) with { RequiredWhen = "amount > 100" }];

        Assert.Equal("reason", Assert.Single(FormValidator.Validate(inputs, new JsonObject(), "en", Today, new Dictionary<string, object?> { ["amount"] = 150m })).Field);
        Assert.Empty(FormValidator.Validate(inputs, new JsonObject(), "en", Today, new Dictionary<string, object?> { ["amount"] = 50m }));
    }
}

public sealed class RelativeDateTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    [Theory]
    [InlineData("today", "2026-03-02")]
    [InlineData("today-14d", "2026-02-16")]
    [InlineData("today+2w", "2026-03-16")]
    [InlineData("today+6m", "2026-09-02")]
    [InlineData("today-6m", "2025-09-02")]
    [InlineData("today-18y", "2008-03-02")]
    [InlineData("today+1y", "2027-03-02")]
    [InlineData("today+0d", "2026-03-02")]
    [InlineData("2026-01-31", "2026-01-31")]
    public void Resolves_absolute_and_relative_dates(string text, string expected)
    {
        Assert.True(RelativeDate.TryResolve(text, Today, out var date));
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
    }

    [Fact]
    public void Months_and_years_clamp_to_the_end_of_the_month()
    {
        Assert.True(RelativeDate.TryResolve("today+1m", new DateOnly(2026, 1, 31), out var date));
        Assert.Equal(new DateOnly(2026, 2, 28), date);
        Assert.True(RelativeDate.TryResolve("today-18y", new DateOnly(2024, 2, 29), out date));
        Assert.Equal(new DateOnly(2006, 2, 28), date);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tomorrow")]
    [InlineData("Today")]
    [InlineData("today+3x")]
    [InlineData("today+1")]
    [InlineData("today - 1d")]
    [InlineData("today+12345d")]
    [InlineData("today+-1d")]
    [InlineData("2026-02-30")]
    [InlineData("2026-1-31")]
    [InlineData("31.01.2026")]
    [InlineData("2026-01-31T00:00")]
    public void Refuses_anything_else(string text)
    {
        Assert.False(RelativeDate.TryResolve(text, Today, out _));
    }

    [Theory]
    [InlineData("today", true)]
    [InlineData("today-3d", true)]
    [InlineData("2026-01-31", false)]
    [InlineData("today+3x", false)]
    public void Knows_which_dates_are_relative(string text, bool relative)
    {
        Assert.Equal(relative, RelativeDate.IsRelative(text));
    }

    [Theory]
    [InlineData("today-9999y")]
    [InlineData("today+9999y")]
    public void An_offset_beyond_the_calendar_is_refused_not_thrown(string text)
    {
        Assert.False(RelativeDate.TryResolve(text, Today, out _));
    }
}
