namespace GiftStudio.Sandbox.Tests;

/// <summary>A JSON value's type as <see cref="Shape"/> checks it.</summary>
public enum Kind { String, Integer, Boolean, Object, Array, Null, StringOrNull, Timestamp, TimestampOrNull, Date }
